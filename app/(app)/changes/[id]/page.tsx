import { ChangeDetail } from "@/components/changes/change-detail";
import { requireUser } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";

export default async function ChangePage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  const permissions = {
    username: user.username,
    canReview: can(user.role, "change.review"),
    canMerge: can(user.role, "change.merge"),
    canClose: can(user.role, "change.propose"),
  };
  return <ChangeDetail id={id} permissions={permissions} />;
}

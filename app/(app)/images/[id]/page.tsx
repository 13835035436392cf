import { PolicyDetail } from "@/components/images/policy-detail";
import { requireUser } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";

export default async function ImagePolicyPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  return <PolicyDetail id={id} canManage={can(user.role, "image.manage")} />;
}

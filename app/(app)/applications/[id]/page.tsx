import { ApplicationView } from "@/components/environments/application-view";
import { requireUser } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";

export default async function ApplicationPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  return <ApplicationView id={id} canManage={can(user.role, "application.manage")} />;
}

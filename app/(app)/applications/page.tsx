import { EnvironmentOverview } from "@/components/environments/environment-overview";
import { requireUser } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";

export default async function ApplicationsPage() {
  const user = await requireUser();
  return <EnvironmentOverview canCreate={can(user.role, "application.manage")} />;
}

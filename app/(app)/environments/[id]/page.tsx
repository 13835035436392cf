import { EnvironmentPage } from "@/components/environments/environment-page";
import { requireUser } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";

export default async function EnvironmentRoute({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  return <EnvironmentPage id={id} canSync={can(user.role, "environment.sync")} canConfigure={can(user.role, "environment.configure")} />;
}

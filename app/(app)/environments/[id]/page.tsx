import { EnvironmentPage } from "@/components/environments/environment-page";
import { requireUser } from "@/lib/auth/current-user";
import { allowedOnApplication, applicationOfEnvironment } from "@/lib/auth/page-roles";

export default async function EnvironmentRoute({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  const allowed = await allowedOnApplication(user, await applicationOfEnvironment(id), ["environment.sync", "environment.configure"]);
  return <EnvironmentPage id={id} canSync={allowed["environment.sync"]!} canConfigure={allowed["environment.configure"]!} />;
}

import { EnvironmentPage } from "@/components/environments/environment-page";
import { EnvironmentHold, EnvironmentPromotions } from "@/components/promotions/environment-promotions";
import { requireUser } from "@/lib/auth/current-user";
import { FreezeBanner } from "@/components/freeze/freeze-banner";
import { allowedOnApplication, applicationOfEnvironment } from "@/lib/auth/page-roles";

export default async function EnvironmentRoute({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  const allowed = await allowedOnApplication(user, await applicationOfEnvironment(id), [
    "environment.sync",
    "environment.configure",
    "environment.rollback",
    "promotion.override",
  ]);
  return (
    <div className="space-y-4">
      <FreezeBanner environmentId={id} />
      <EnvironmentHold environmentId={id} canRelease={allowed["environment.rollback"]!} />
      <EnvironmentPage id={id} canSync={allowed["environment.sync"]!} canConfigure={allowed["environment.configure"]!} />
      <EnvironmentPromotions
        environmentId={id}
        canRollback={allowed["environment.rollback"]!}
        canOverride={allowed["promotion.override"]!}
        canConfigure={allowed["environment.configure"]!}
      />
    </div>
  );
}

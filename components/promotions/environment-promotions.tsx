"use client";
// What the environment page shows about promotions: the rollback hold (top), and the rollback
// panel with the promotion settings (below the environment's own panels).
import { useEnvironmentDetail } from "../live/use-environment-detail";
import { HoldBanner } from "./hold-banner";
import { PromotionSettingsForm, type PromotionSettingsValue } from "./promotion-settings";
import { RollbackPanel } from "./rollback-panel";

interface EnvironmentPromotionFields extends PromotionSettingsValue {
  id: string;
  name: string;
  syncHold: boolean;
  syncHoldReason: string | null;
  syncHoldRevision: string | null;
  syncHoldChangeRequestId: string | null;
}

// Same query as the environment page, so both share one cache entry, kept current by its stream.
const useEnvironment = (id: string) => useEnvironmentDetail<{ environment: EnvironmentPromotionFields }>(id).data?.environment;

export function EnvironmentHold({ environmentId, canRelease }: { environmentId: string; canRelease: boolean }) {
  const e = useEnvironment(environmentId);
  if (!e?.syncHold) return null;
  return (
    <HoldBanner
      canRelease={canRelease}
      hold={{ environmentId, reason: e.syncHoldReason, revision: e.syncHoldRevision, changeRequestId: e.syncHoldChangeRequestId }}
    />
  );
}

export function EnvironmentPromotions({
  environmentId,
  canRollback,
  canOverride,
  canConfigure,
}: {
  environmentId: string;
  canRollback: boolean;
  canOverride: boolean;
  canConfigure: boolean;
}) {
  const e = useEnvironment(environmentId);
  if (!e) return null;
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      {canRollback ? (
        <RollbackPanel environmentId={environmentId} environmentName={e.name} requiredApprovals={e.requiredApprovals} canOverride={canOverride} />
      ) : (
        <div />
      )}
      <PromotionSettingsForm
        environmentId={environmentId}
        canConfigure={canConfigure}
        initial={{
          requiredApprovals: e.requiredApprovals,
          soakMinutes: e.soakMinutes,
          unhealthySourcePolicy: e.unhealthySourcePolicy,
          syncAfterPromotion: e.syncAfterPromotion,
          promotionStrategy: e.promotionStrategy,
        }}
      />
    </div>
  );
}

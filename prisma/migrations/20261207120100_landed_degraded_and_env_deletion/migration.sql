-- A promotion whose target synced but did not become healthy ends "landed, target Degraded" or
-- failed, per the target's promotionVerification ("landed" or "healthy"). Environments being
-- deleted with their live objects pruned are marked until the prune job removes the row.
-- Self-heal only acts on auto-synced environments, so the flag is cleared where it did nothing.
ALTER TYPE "PromotionStatus" ADD VALUE IF NOT EXISTS 'landed_degraded';

ALTER TABLE "Environment" ADD COLUMN "promotionVerification" TEXT NOT NULL DEFAULT 'landed',
ADD COLUMN "deletionRequestedAt" TIMESTAMP(3);

ALTER TABLE "Application" ADD COLUMN "deletionRequestedAt" TIMESTAMP(3);

UPDATE "Environment" SET "selfHeal" = false WHERE "autoSync" = false;

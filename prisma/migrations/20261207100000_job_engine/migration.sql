-- The job engine (pg-boss, schema "tideline_jobs", installed by pg-boss itself) replaces the
-- hand-written leases, and sync runs keep what was asked so any worker can run or resume them.
ALTER TABLE "Environment" DROP COLUMN "leaseOwner", DROP COLUMN "leaseUntil";
ALTER TABLE "Repository" DROP COLUMN "fetchLeaseOwner", DROP COLUMN "fetchLeaseUntil";
ALTER TABLE "SyncRun"
  ADD COLUMN "queuedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  ADD COLUMN "only" JSONB,
  ADD COLUMN "expectedRevision" TEXT,
  ADD COLUMN "pinnedRevision" TEXT,
  ADD COLUMN "promotionId" TEXT,
  ADD COLUMN "resumedFromId" TEXT,
  ADD COLUMN "jobId" TEXT,
  ADD COLUMN "workerName" TEXT;
CREATE INDEX "SyncRun_environmentId_status_idx" ON "SyncRun"("environmentId", "status");
ALTER TABLE "Cluster" ADD COLUMN "watchOwner" TEXT, ADD COLUMN "watchOwnerSince" TIMESTAMP(3);

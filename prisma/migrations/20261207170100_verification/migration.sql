-- Verification after a sync and automatic rollback (issue 18): per environment a healthy window,
-- check Jobs, an HTTP check and auto-rollback (off), the last verified revision, and one row per
-- verification that the environment.verify job resumes from.
ALTER TABLE "Environment" ADD COLUMN "verifyHealthyMinutes" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN "verifyTimeoutMinutes" DOUBLE PRECISION NOT NULL DEFAULT 10,
ADD COLUMN "verifyJobs" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN "verifyHttpUrl" TEXT,
ADD COLUMN "verifyHttpStatus" INTEGER NOT NULL DEFAULT 200,
ADD COLUMN "verifyHttpTimeoutSeconds" INTEGER NOT NULL DEFAULT 10,
ADD COLUMN "autoRollback" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN "verifiedRevision" TEXT;

CREATE TABLE "Verification" (
    "id" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "syncRunId" TEXT NOT NULL,
    "promotionId" TEXT,
    "revision" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deadline" TIMESTAMP(3) NOT NULL,
    "healthyMinutes" DOUBLE PRECISION NOT NULL,
    "healthySince" TIMESTAMP(3),
    "checks" JSONB NOT NULL DEFAULT '[]',
    "verdict" TEXT,
    "reason" TEXT,
    "finishedAt" TIMESTAMP(3),
    "rollbackStatus" TEXT,
    "rollbackReason" TEXT,
    "rollbackPromotionId" TEXT,
    "rollbackStartedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Verification_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "Verification_syncRunId_key" ON "Verification"("syncRunId");
CREATE INDEX "Verification_environmentId_startedAt_idx" ON "Verification"("environmentId", "startedAt" DESC);
CREATE INDEX "Verification_status_idx" ON "Verification"("status");

ALTER TABLE "Verification" ADD CONSTRAINT "Verification_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

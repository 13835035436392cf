-- Approvals bound to what changes: reviews remember the head commit they were given on and
-- whether the provider dismissed them, change requests cache the protected environments their
-- rendered result changes (per head commit) and who opened them on GitHub/GitLab, a promotion
-- can be cancelled.
ALTER TYPE "PromotionStatus" ADD VALUE IF NOT EXISTS 'cancelled';

ALTER TABLE "ChangeRequestReview" ADD COLUMN "commitSha" TEXT,
ADD COLUMN "dismissedAt" TIMESTAMP(3);

ALTER TABLE "ChangeRequest" ADD COLUMN "externalAuthor" TEXT,
ADD COLUMN "protection" JSONB,
ADD COLUMN "protectionSha" TEXT;

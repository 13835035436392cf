-- CreateEnum
CREATE TYPE "ChangeRequestStatus" AS ENUM ('open', 'merged', 'closed');

-- CreateEnum
CREATE TYPE "PromotionStatus" AS ENUM ('proposed', 'awaiting_approval', 'approved', 'merged', 'syncing', 'succeeded', 'rejected', 'failed', 'superseded');

-- AlterTable
ALTER TABLE "Repository" ADD COLUMN     "encryptedWebhookSecret" TEXT,
ADD COLUMN     "provider" TEXT NOT NULL DEFAULT 'git',
ADD COLUMN     "providerApiUrl" TEXT,
ADD COLUMN     "providerProject" TEXT;

-- AlterTable
ALTER TABLE "Environment" ADD COLUMN     "healthySince" TIMESTAMP(3),
ADD COLUMN     "promotionStrategy" TEXT NOT NULL DEFAULT 'images',
ADD COLUMN     "requiredApprovals" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "soakMinutes" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "syncAfterPromotion" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "syncHold" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "syncHoldChangeRequestId" TEXT,
ADD COLUMN     "syncHoldReason" TEXT,
ADD COLUMN     "syncHoldRevision" TEXT,
ADD COLUMN     "unhealthySourcePolicy" TEXT NOT NULL DEFAULT 'warn';

-- CreateTable
CREATE TABLE "ChangeRequest" (
    "id" TEXT NOT NULL,
    "repositoryId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL DEFAULT '',
    "authorId" TEXT,
    "authorName" TEXT NOT NULL,
    "baseBranch" TEXT NOT NULL,
    "headBranch" TEXT NOT NULL,
    "baseSha" TEXT NOT NULL,
    "headSha" TEXT NOT NULL,
    "status" "ChangeRequestStatus" NOT NULL DEFAULT 'open',
    "kind" TEXT NOT NULL DEFAULT 'edit',
    "provider" TEXT NOT NULL DEFAULT 'git',
    "externalNumber" INTEGER,
    "externalUrl" TEXT,
    "requiredReviews" INTEGER NOT NULL DEFAULT 0,
    "mergeMethod" TEXT,
    "mergedSha" TEXT,
    "mergedAt" TIMESTAMP(3),
    "mergedByName" TEXT,
    "closedAt" TIMESTAMP(3),
    "lastSyncedAt" TIMESTAMP(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ChangeRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChangeRequestReview" (
    "id" TEXT NOT NULL,
    "changeRequestId" TEXT NOT NULL,
    "userId" TEXT,
    "userName" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "body" TEXT NOT NULL DEFAULT '',
    "externalId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChangeRequestReview_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Promotion" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'promotion',
    "applicationId" TEXT NOT NULL,
    "sourceEnvironmentId" TEXT,
    "targetEnvironmentId" TEXT NOT NULL,
    "status" "PromotionStatus" NOT NULL DEFAULT 'proposed',
    "strategy" TEXT NOT NULL,
    "sourceRevision" TEXT,
    "targetBaseRevision" TEXT NOT NULL,
    "previewHash" TEXT NOT NULL,
    "summary" JSONB NOT NULL DEFAULT '{}',
    "changeRequestId" TEXT,
    "commitSha" TEXT,
    "requiredApprovals" INTEGER NOT NULL DEFAULT 0,
    "authorId" TEXT,
    "authorName" TEXT NOT NULL,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "mergedAt" TIMESTAMP(3),
    "syncedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Promotion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Approval" (
    "id" TEXT NOT NULL,
    "promotionId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "userName" TEXT NOT NULL,
    "decision" TEXT NOT NULL,
    "comment" TEXT NOT NULL DEFAULT '',
    "override" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Approval_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PromotionEvent" (
    "id" TEXT NOT NULL,
    "promotionId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorName" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "detail" TEXT,

    CONSTRAINT "PromotionEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ImagePolicy" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "image" TEXT NOT NULL,
    "insecure" BOOLEAN NOT NULL DEFAULT false,
    "username" TEXT,
    "encryptedPassword" TEXT,
    "policy" JSONB NOT NULL,
    "allowDowngrade" BOOLEAN NOT NULL DEFAULT false,
    "writeMode" TEXT NOT NULL DEFAULT 'commit',
    "intervalSeconds" INTEGER NOT NULL DEFAULT 300,
    "latestTag" TEXT,
    "latestDigest" TEXT,
    "lastCheckedAt" TIMESTAMP(3),
    "nextCheckAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,
    "lastRequests" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ImagePolicy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ImagePolicyTarget" (
    "policyId" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,

    CONSTRAINT "ImagePolicyTarget_pkey" PRIMARY KEY ("policyId","environmentId")
);

-- CreateTable
CREATE TABLE "ImageUpdate" (
    "id" TEXT NOT NULL,
    "policyId" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "tag" TEXT NOT NULL,
    "digest" TEXT,
    "previousTag" TEXT,
    "trigger" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "detectedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "commitSha" TEXT,
    "committedAt" TIMESTAMP(3),
    "changeRequestId" TEXT,
    "syncedAt" TIMESTAMP(3),
    "error" TEXT,

    CONSTRAINT "ImageUpdate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "deliveryId" TEXT,
    "event" TEXT,
    "outcome" TEXT NOT NULL,
    "reason" TEXT,
    "summary" JSONB NOT NULL DEFAULT '{}',
    "repositoryId" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InstallationSecret" (
    "name" TEXT NOT NULL,
    "sealed" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InstallationSecret_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE INDEX "ChangeRequest_status_createdAt_idx" ON "ChangeRequest"("status", "createdAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "ChangeRequest_repositoryId_number_key" ON "ChangeRequest"("repositoryId", "number");

-- CreateIndex
CREATE INDEX "ChangeRequestReview_changeRequestId_createdAt_idx" ON "ChangeRequestReview"("changeRequestId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Promotion_changeRequestId_key" ON "Promotion"("changeRequestId");

-- CreateIndex
CREATE INDEX "Promotion_targetEnvironmentId_status_idx" ON "Promotion"("targetEnvironmentId", "status");

-- CreateIndex
CREATE INDEX "Promotion_status_createdAt_idx" ON "Promotion"("status", "createdAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "Approval_promotionId_userId_key" ON "Approval"("promotionId", "userId");

-- CreateIndex
CREATE INDEX "PromotionEvent_promotionId_at_idx" ON "PromotionEvent"("promotionId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "ImagePolicy_name_key" ON "ImagePolicy"("name");

-- CreateIndex
CREATE INDEX "ImageUpdate_policyId_detectedAt_idx" ON "ImageUpdate"("policyId", "detectedAt" DESC);

-- CreateIndex
CREATE INDEX "ImageUpdate_environmentId_status_idx" ON "ImageUpdate"("environmentId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "ImageUpdate_policyId_environmentId_tag_key" ON "ImageUpdate"("policyId", "environmentId", "tag");

-- CreateIndex
CREATE INDEX "WebhookDelivery_receivedAt_idx" ON "WebhookDelivery"("receivedAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "WebhookDelivery_source_deliveryId_key" ON "WebhookDelivery"("source", "deliveryId");

-- AddForeignKey
ALTER TABLE "ChangeRequest" ADD CONSTRAINT "ChangeRequest_repositoryId_fkey" FOREIGN KEY ("repositoryId") REFERENCES "Repository"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChangeRequest" ADD CONSTRAINT "ChangeRequest_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChangeRequestReview" ADD CONSTRAINT "ChangeRequestReview_changeRequestId_fkey" FOREIGN KEY ("changeRequestId") REFERENCES "ChangeRequest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Promotion" ADD CONSTRAINT "Promotion_sourceEnvironmentId_fkey" FOREIGN KEY ("sourceEnvironmentId") REFERENCES "Environment"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Promotion" ADD CONSTRAINT "Promotion_targetEnvironmentId_fkey" FOREIGN KEY ("targetEnvironmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Promotion" ADD CONSTRAINT "Promotion_changeRequestId_fkey" FOREIGN KEY ("changeRequestId") REFERENCES "ChangeRequest"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Approval" ADD CONSTRAINT "Approval_promotionId_fkey" FOREIGN KEY ("promotionId") REFERENCES "Promotion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PromotionEvent" ADD CONSTRAINT "PromotionEvent_promotionId_fkey" FOREIGN KEY ("promotionId") REFERENCES "Promotion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ImagePolicyTarget" ADD CONSTRAINT "ImagePolicyTarget_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "ImagePolicy"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ImagePolicyTarget" ADD CONSTRAINT "ImagePolicyTarget_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ImageUpdate" ADD CONSTRAINT "ImageUpdate_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "ImagePolicy"("id") ON DELETE CASCADE ON UPDATE CASCADE;


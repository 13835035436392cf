-- CreateEnum
CREATE TYPE "SyncStatus" AS ENUM ('Unknown', 'Synced', 'OutOfSync');

-- CreateEnum
CREATE TYPE "Health" AS ENUM ('Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown');

-- CreateTable
CREATE TABLE "Application" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Application_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Environment" (
    "id" TEXT NOT NULL,
    "applicationId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "repositoryId" TEXT NOT NULL,
    "branch" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "clusterId" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "renderer" TEXT NOT NULL DEFAULT 'auto',
    "helmReleaseName" TEXT,
    "helmValuesFiles" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "autoSync" BOOLEAN NOT NULL DEFAULT false,
    "prune" BOOLEAN NOT NULL DEFAULT false,
    "selfHeal" BOOLEAN NOT NULL DEFAULT false,
    "detectOnly" BOOLEAN NOT NULL DEFAULT false,
    "allowEmpty" BOOLEAN NOT NULL DEFAULT false,
    "ignoreRules" JSONB NOT NULL DEFAULT '[]',
    "desiredRevision" TEXT,
    "syncedRevision" TEXT,
    "syncStatus" "SyncStatus" NOT NULL DEFAULT 'Unknown',
    "health" "Health" NOT NULL DEFAULT 'Unknown',
    "renderError" TEXT,
    "lastError" TEXT,
    "objectCount" INTEGER NOT NULL DEFAULT 0,
    "outOfSyncCount" INTEGER NOT NULL DEFAULT 0,
    "lastReconciledAt" TIMESTAMP(3),
    "leaseOwner" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Environment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ResourceState" (
    "id" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "apiVersion" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "namespace" TEXT NOT NULL DEFAULT '',
    "name" TEXT NOT NULL,
    "syncStatus" TEXT NOT NULL,
    "health" TEXT NOT NULL,
    "healthMessage" TEXT,
    "message" TEXT,
    "inInventory" BOOLEAN NOT NULL DEFAULT false,
    "desiredHash" TEXT,
    "liveVersion" TEXT,
    "changes" JSONB,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ResourceState_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SyncRun" (
    "id" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "revision" TEXT NOT NULL,
    "actorName" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "prune" BOOLEAN NOT NULL DEFAULT false,
    "dryRun" BOOLEAN NOT NULL DEFAULT false,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "error" TEXT,
    "results" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "SyncRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Application_name_key" ON "Application"("name");

-- CreateIndex
CREATE INDEX "Environment_syncStatus_health_idx" ON "Environment"("syncStatus", "health");

-- CreateIndex
CREATE UNIQUE INDEX "Environment_applicationId_name_key" ON "Environment"("applicationId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "ResourceState_environmentId_apiVersion_kind_namespace_name_key" ON "ResourceState"("environmentId", "apiVersion", "kind", "namespace", "name");

-- CreateIndex
CREATE INDEX "SyncRun_environmentId_startedAt_idx" ON "SyncRun"("environmentId", "startedAt" DESC);

-- AddForeignKey
ALTER TABLE "Environment" ADD CONSTRAINT "Environment_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "Application"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Environment" ADD CONSTRAINT "Environment_repositoryId_fkey" FOREIGN KEY ("repositoryId") REFERENCES "Repository"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Environment" ADD CONSTRAINT "Environment_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ResourceState" ADD CONSTRAINT "ResourceState_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SyncRun" ADD CONSTRAINT "SyncRun_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- CreateEnum
CREATE TYPE "ClusterStatus" AS ENUM ('unknown', 'connected', 'degraded', 'unreachable');

-- CreateTable
CREATE TABLE "Cluster" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "server" TEXT NOT NULL,
    "contextName" TEXT,
    "inCluster" BOOLEAN NOT NULL DEFAULT false,
    "encryptedKubeconfig" TEXT,
    "defaultNamespace" TEXT NOT NULL DEFAULT 'default',
    "status" "ClusterStatus" NOT NULL DEFAULT 'unknown',
    "statusReason" TEXT,
    "lastError" TEXT,
    "serverVersion" TEXT,
    "permissions" JSONB,
    "lastCheckedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Cluster_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Cluster_name_key" ON "Cluster"("name");


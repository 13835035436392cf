-- Projects (issue 14): every application belongs to one, roles per project, adoption of unlabelled objects is opt-in.
CREATE TABLE "Project" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "sourceRepos" JSONB NOT NULL DEFAULT '[]',
    "destinations" JSONB NOT NULL DEFAULT '[]',
    "clusterResourceWhitelist" JSONB NOT NULL DEFAULT '[]',
    "namespaceResourceBlacklist" JSONB NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Project_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Project_name_key" ON "Project"("name");

CREATE TABLE "ProjectRoleBinding" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProjectRoleBinding_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "ProjectRoleBinding_projectId_idx" ON "ProjectRoleBinding"("projectId");
CREATE UNIQUE INDEX "ProjectRoleBinding_userId_projectId_key" ON "ProjectRoleBinding"("userId", "projectId");
ALTER TABLE "ProjectRoleBinding" ADD CONSTRAINT "ProjectRoleBinding_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ProjectRoleBinding" ADD CONSTRAINT "ProjectRoleBinding_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The default project keeps today's behaviour for namespaced objects (any repository, path, cluster and
-- namespace) but allows no cluster-scoped kinds until an admin lists them.
INSERT INTO "Project" ("id", "name", "description", "sourceRepos", "destinations", "updatedAt")
VALUES ('default', 'default', 'Applications that existed before projects: any repository and destination, no cluster-scoped kinds.',
        '[{"repository": "*", "path": "**"}]', '[{"cluster": "*", "namespace": "*"}]', CURRENT_TIMESTAMP);

ALTER TABLE "Application" ADD COLUMN "projectId" TEXT;
UPDATE "Application" SET "projectId" = 'default';
ALTER TABLE "Application" ALTER COLUMN "projectId" SET NOT NULL;
ALTER TABLE "Application" ALTER COLUMN "projectId" SET DEFAULT 'default';
ALTER TABLE "Application" ADD CONSTRAINT "Application_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "Environment" ADD COLUMN "adoptExisting" BOOLEAN NOT NULL DEFAULT false;

// Applications and their ordered environments: creation with every reference checked
// (repository, branch, folder, cluster), settings, and the overview across all of them.
import fs from "node:fs";
import git from "isomorphic-git";
import { Prisma, type Environment, type PrismaClient } from "../generated/prisma/client";
import { conflict, invalid, notFound } from "../errors";
import { normalizeRepoPath } from "../git/paths";
import { mirrorPath } from "../git/mirror";
import { detectRenderer } from "../render/detect";
import type { CreateEnvironmentInput } from "./schemas";
import type { z } from "zod";
import type { environmentSettings, overviewQuery } from "./schemas";

export async function createApplication(prisma: PrismaClient, input: { name: string; description?: string | null }) {
  if (await prisma.application.findUnique({ where: { name: input.name } })) throw conflict(`An application named "${input.name}" already exists`);
  return prisma.application.create({ data: { name: input.name, description: input.description ?? null } });
}

export async function createEnvironment(prisma: PrismaClient, mirrorsDir: string, applicationId: string, input: CreateEnvironmentInput) {
  const app = await prisma.application.findUnique({ where: { id: applicationId }, include: { environments: true } });
  if (!app) throw notFound(`Application ${applicationId} does not exist`);
  if (app.environments.some((e) => e.name === input.name)) throw conflict(`Application ${app.name} already has an environment "${input.name}"`);
  const repo = await prisma.repository.findUnique({ where: { id: input.repositoryId } });
  if (!repo) throw invalid(`Repository ${input.repositoryId} does not exist`, { field: "repositoryId" });
  const cluster = await prisma.cluster.findUnique({ where: { id: input.clusterId } });
  if (!cluster) throw invalid(`Cluster ${input.clusterId} does not exist`, { field: "clusterId" });
  const branch = await prisma.branch.findUnique({ where: { repositoryId_name: { repositoryId: repo.id, name: input.branch } } });
  if (!branch) throw invalid(`Branch "${input.branch}" does not exist in ${repo.name} (fetch the repository first?)`, { field: "branch" });
  const path = normalizeRepoPath(input.path);
  const detected = await detectAt(mirrorPath(mirrorsDir, repo.id), branch.headSha, path);
  const owner = await prisma.environment.findFirst({ where: { clusterId: cluster.id, namespace: input.namespace }, include: { application: true } });
  if (owner) throw conflict(`Namespace ${input.namespace} on cluster ${cluster.name} already belongs to ${owner.application.name}/${owner.name}`);
  return prisma.environment.create({
    data: {
      applicationId,
      name: input.name,
      position: input.position ?? app.environments.length,
      repositoryId: repo.id,
      branch: input.branch,
      path,
      clusterId: cluster.id,
      namespace: input.namespace,
      renderer: input.renderer === "auto" ? detected : input.renderer,
      helmReleaseName: input.helmReleaseName ?? null,
      helmValuesFiles: input.helmValuesFiles,
      autoSync: input.autoSync ?? false,
      prune: input.prune ?? false,
      selfHeal: input.selfHeal ?? false,
      detectOnly: input.detectOnly ?? false,
      allowEmpty: input.allowEmpty ?? false,
      ignoreRules: (input.ignoreRules ?? []) as Prisma.InputJsonValue,
      requiredApprovals: input.requiredApprovals ?? 0,
      soakMinutes: input.soakMinutes ?? 0,
      unhealthySourcePolicy: input.unhealthySourcePolicy ?? "warn",
      syncAfterPromotion: input.syncAfterPromotion ?? true,
      promotionStrategy: input.promotionStrategy ?? "images",
    },
  });
}

async function detectAt(gitdir: string, commit: string, path: string) {
  try {
    const { tree } = await git.readTree({ fs, gitdir, oid: commit, filepath: path || undefined });
    return detectRenderer(tree.map((e) => e.path));
  } catch {
    throw invalid(`Folder "${path || "/"}" does not exist on that branch`, { field: "path" });
  }
}

export async function updateEnvironmentSettings(prisma: PrismaClient, id: string, patch: z.infer<typeof environmentSettings>) {
  const env = await prisma.environment.findUnique({ where: { id } });
  if (!env) throw notFound(`Environment ${id} does not exist`);
  const { ignoreRules, ...flags } = patch;
  return prisma.environment.update({ where: { id }, data: { ...flags, ...(ignoreRules ? { ignoreRules: ignoreRules as Prisma.InputJsonValue } : {}) } });
}

export function publicEnvironment(e: Environment & { application?: { name: string }; cluster?: { name: string }; repository?: { name: string } }) {
  const { leaseOwner: _o, leaseUntil: _u, ...rest } = e;
  return {
    ...rest,
    applicationName: e.application?.name,
    clusterName: e.cluster?.name,
    repositoryName: e.repository?.name,
    createdAt: e.createdAt.toISOString(),
    lastReconciledAt: e.lastReconciledAt?.toISOString() ?? null,
  };
}

/** Applications x environments, filtered and paginated in Postgres (fast at thousands of rows). */
export async function environmentOverview(prisma: PrismaClient, q: z.infer<typeof overviewQuery>) {
  const where: Prisma.EnvironmentWhereInput = {
    ...(q.syncStatus ? { syncStatus: q.syncStatus } : {}),
    ...(q.health ? { health: q.health } : {}),
    ...(q.clusterId ? { clusterId: q.clusterId } : {}),
    ...(q.q ? { OR: [{ name: { contains: q.q, mode: "insensitive" } }, { application: { name: { contains: q.q, mode: "insensitive" } } }] } : {}),
  };
  const [total, rows] = await Promise.all([
    prisma.environment.count({ where }),
    prisma.environment.findMany({
      where,
      orderBy: [{ application: { name: "asc" } }, { position: "asc" }],
      skip: (q.page - 1) * q.pageSize,
      take: q.pageSize,
      include: { application: { select: { name: true } }, cluster: { select: { name: true } }, repository: { select: { name: true } } },
    }),
  ]);
  return { total, page: q.page, pageSize: q.pageSize, items: rows.map(publicEnvironment) };
}

// Applications and their ordered environments: creation with every reference checked
// (repository, branch, folder, cluster), settings, and the overview across all of them.
import fs from "node:fs";
import git from "isomorphic-git";
import { Prisma, type Environment, type PrismaClient } from "../generated/prisma/client";
import { conflict, invalid, notFound } from "../errors";
import { normalizeRepoPath } from "../git/paths";
import { mirrorPath } from "../git/mirror";
import { detectRenderer } from "../render/detect";
import { destinationError, policyOf, sourceError } from "../projects/policy";
import type { CreateEnvironmentInput, UpdateEnvironmentInput } from "./schemas";
import type { z } from "zod";
import type { environmentSettings, overviewQuery } from "./schemas";
import { assertVerificationSettings, verificationFields } from "../verification/policy";
import { env as config } from "../env";

export async function createApplication(prisma: PrismaClient, input: { name: string; description?: string | null; projectId?: string }) {
  if (await prisma.application.findUnique({ where: { name: input.name } })) throw conflict(`An application named "${input.name}" already exists`);
  const projectId = input.projectId ?? "default";
  if (!(await prisma.project.findUnique({ where: { id: projectId }, select: { id: true } })))
    throw invalid(`Project ${projectId} does not exist`, { field: "projectId" });
  return prisma.application.create({ data: { name: input.name, description: input.description ?? null, projectId } });
}

export async function createEnvironment(prisma: PrismaClient, mirrorsDir: string, applicationId: string, input: CreateEnvironmentInput) {
  const app = await prisma.application.findUnique({ where: { id: applicationId }, include: { environments: true, project: true } });
  if (!app) throw notFound(`Application ${applicationId} does not exist`);
  if (app.environments.some((e) => e.name === input.name)) throw conflict(`Application ${app.name} already has an environment "${input.name}"`);
  const repo = await prisma.repository.findUnique({ where: { id: input.repositoryId } });
  if (!repo) throw invalid(`Repository ${input.repositoryId} does not exist`, { field: "repositoryId" });
  const cluster = await prisma.cluster.findUnique({ where: { id: input.clusterId } });
  if (!cluster) throw invalid(`Cluster ${input.clusterId} does not exist`, { field: "clusterId" });
  assertSelfHealNeedsAutoSync(input.autoSync ?? false, input.selfHeal ?? false);
  assertVerificationSettings(input, null, config().TIDELINE_OUTBOUND_HOSTS);
  // No branch given: the remote's default branch (its HEAD), as every form preselects it.
  const branchName = input.branch ?? repo.defaultBranch;
  if (!branchName) throw invalid(`${repo.name} has no known default branch yet (fetch it first) — name the branch`, { field: "branch" });
  const branch = await prisma.branch.findUnique({ where: { repositoryId_name: { repositoryId: repo.id, name: branchName } } });
  if (!branch) throw invalid(`Branch "${branchName}" does not exist in ${repo.name} (fetch the repository first?)`, { field: "branch" });
  const path = normalizeRepoPath(input.path);
  // The project says where its applications may deploy from and to (Argo CD refuses such an app too).
  const policy = policyOf(app.project);
  const outside = sourceError(policy, repo, path) ?? destinationError(policy, cluster, input.namespace);
  if (outside) throw invalid(outside, { field: sourceError(policy, repo, path) ? "path" : "namespace" });
  const detected = await detectAt(mirrorPath(mirrorsDir, repo.id), branch.headSha, path);
  const owner = await prisma.environment.findFirst({ where: { clusterId: cluster.id, namespace: input.namespace }, include: { application: true } });
  if (owner) throw conflict(`Namespace ${input.namespace} on cluster ${cluster.name} already belongs to ${owner.application.name}/${owner.name}`);
  return prisma.environment.create({
    data: {
      applicationId,
      name: input.name,
      position: input.position ?? app.environments.length,
      repositoryId: repo.id,
      branch: branchName,
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
      adoptExisting: input.adoptExisting ?? false,
      ignoreRules: (input.ignoreRules ?? []) as Prisma.InputJsonValue,
      requiredApprovals: input.requiredApprovals ?? 0,
      soakMinutes: input.soakMinutes ?? 0,
      unhealthySourcePolicy: input.unhealthySourcePolicy ?? "warn",
      syncAfterPromotion: input.syncAfterPromotion ?? true,
      promotionStrategy: input.promotionStrategy ?? "images",
      promotionVerification: input.promotionVerification ?? "landed",
      ...verificationFields(input),
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

/**
 * Self-heal re-syncs drift, and only an auto-synced environment syncs by itself (as in Argo CD,
 * where selfHeal is part of the automated policy): on without auto-sync it would do nothing.
 */
function assertSelfHealNeedsAutoSync(autoSync: boolean, selfHeal: boolean) {
  if (selfHeal && !autoSync)
    throw invalid("selfHeal: self-heal needs auto-sync (it reverts drift by syncing automatically); turn on autoSync too, or leave self-heal off", {
      field: "selfHeal",
    });
}

/** Changes any settable field; source changes (repository, branch, folder, renderer) are checked like at creation. */
export async function updateEnvironment(prisma: PrismaClient, mirrorsDir: string, id: string, patch: UpdateEnvironmentInput) {
  const env = await prisma.environment.findUnique({ where: { id }, include: { application: { include: { project: true } }, cluster: true } });
  if (!env) throw notFound(`Environment ${id} does not exist`);
  if (env.deletionRequestedAt) throw conflict(`${env.name} is being deleted`);
  const { ignoreRules, clusterId: _c, namespace: _n, applicationId: _a, ...fields } = patch;
  // Turning auto-sync off turns self-heal off with it (it would do nothing); turning self-heal on alone is refused.
  const autoSync = fields.autoSync ?? env.autoSync;
  if (fields.autoSync === false && fields.selfHeal === undefined) fields.selfHeal = false;
  assertSelfHealNeedsAutoSync(autoSync, fields.selfHeal ?? env.selfHeal);
  assertVerificationSettings(fields, env, config().TIDELINE_OUTBOUND_HOSTS);
  if (
    fields.name !== undefined &&
    fields.name !== env.name &&
    (await prisma.environment.findUnique({ where: { applicationId_name: { applicationId: env.applicationId, name: fields.name } } }))
  ) {
    throw conflict(`Application ${env.application.name} already has an environment "${fields.name}"`);
  }
  const sourceChanged = ["repositoryId", "branch", "path", "renderer"].some((k) => k in fields);
  if (sourceChanged) {
    const repositoryId = fields.repositoryId ?? env.repositoryId;
    const repo = await prisma.repository.findUnique({ where: { id: repositoryId } });
    if (!repo) throw invalid(`Repository ${repositoryId} does not exist`, { field: "repositoryId" });
    const branchName = fields.branch ?? (fields.repositoryId && fields.repositoryId !== env.repositoryId ? repo.defaultBranch : env.branch);
    const branch = branchName ? await prisma.branch.findUnique({ where: { repositoryId_name: { repositoryId, name: branchName } } }) : null;
    if (!branch) throw invalid(`Branch "${branchName ?? "(none)"}" does not exist in ${repo.name} (fetch the repository first?)`, { field: "branch" });
    const path = normalizeRepoPath(fields.path ?? env.path);
    const outside = sourceError(policyOf(env.application.project), repo, path);
    if (outside) throw invalid(outside, { field: "path" });
    const detected = await detectAt(mirrorPath(mirrorsDir, repo.id), branch.headSha, path);
    // "auto", or a new folder without a renderer named: detect again (a Helm folder must not keep "kustomize").
    const redetect = fields.renderer === "auto" || (fields.renderer === undefined && (path !== env.path || repositoryId !== env.repositoryId));
    Object.assign(fields, { repositoryId, branch: branch.name, path, ...(redetect ? { renderer: detected } : {}) });
  }
  if (fields.helmValuesFiles) fields.helmValuesFiles = fields.helmValuesFiles.map((f) => normalizeRepoPath(f, "helmValuesFiles"));
  return prisma.environment.update({ where: { id }, data: { ...fields, ...(ignoreRules ? { ignoreRules: ignoreRules as Prisma.InputJsonValue } : {}) } });
}

/** Sync, protection and promotion settings only (no source fields, so no mirror is read). */
export const updateEnvironmentSettings = (prisma: PrismaClient, id: string, patch: z.infer<typeof environmentSettings>) =>
  updateEnvironment(prisma, "", id, patch);

export function publicEnvironment(e: Environment & { application?: { name: string }; cluster?: { name: string }; repository?: { name: string } }) {
  return {
    ...e,
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

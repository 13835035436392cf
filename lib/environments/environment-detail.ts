// Read models behind an environment's page: objects with status, one object's diff,
// the pending Git diff, the path's history with the deployed commit, and sync history.
import type { PrismaClient } from "../generated/prisma/client";
import { notFound } from "../errors";
import { assessEnvironment, type ReconcileDeps } from "../reconcile/reconcile-environment";
import { dryRunMerged, idOf } from "../reconcile/drift";
import { normalizeForDiff } from "../drift/normalize";
import { applyIgnoreRules, type IgnoreRule } from "../drift/ignore-rules";
import { toDiffYaml } from "../drift/yaml-diff";
import { runGitIn } from "../git/git-cli";
import { mirrorPath } from "../git/mirror";
import { listCommits } from "../repositories/list-commits";
import { publicEnvironment } from "./manage-environments";
import { runningSyncOf } from "../reconcile/sync-progress";
import { latestVerification, verificationsOfRuns } from "../verification/read";

export async function getEnvironment(prisma: PrismaClient, id: string) {
  const env = await prisma.environment.findUnique({
    where: { id },
    include: { application: { select: { name: true } }, cluster: { select: { name: true } }, repository: { select: { name: true } } },
  });
  if (!env) throw notFound(`Environment ${id} does not exist`);
  const resources = await prisma.resourceState.findMany({ where: { environmentId: id }, orderBy: [{ kind: "asc" }, { name: "asc" }] });
  return {
    environment: publicEnvironment(env),
    resources: resources.map((r) => ({
      id: r.id,
      apiVersion: r.apiVersion,
      kind: r.kind,
      namespace: r.namespace,
      name: r.name,
      syncStatus: r.syncStatus,
      health: r.health,
      healthMessage: r.healthMessage,
      message: r.message,
      changes: r.changes,
    })),
    // The sync running or queued now (null when none): its phase, wave and what it waits for.
    runningSync: await runningSyncOf(prisma, id),
    // The latest verification after a sync (progress while running, then its verdict and any rollback).
    verification: await latestVerification(prisma, id),
  };
}

/** Desired (after a server-side dry-run) and live YAML of one object, normalized and masked. */
export async function objectDiff(deps: ReconcileDeps, environmentId: string, target: { apiVersion: string; kind: string; namespace: string; name: string }) {
  const env = await deps.prisma.environment.findUnique({ where: { id: environmentId } });
  if (!env) throw notFound(`Environment ${environmentId} does not exist`);
  const cache = await deps.cacheFor(env.clusterId);
  const { desired } = await assessEnvironment(deps, env);
  const wanted = desired.objects.find(
    (d) =>
      idOf({ apiVersion: d.manifest.apiVersion, kind: d.manifest.kind, namespace: d.manifest.metadata.namespace ?? "", name: d.manifest.metadata.name }) ===
      idOf(target),
  );
  const type = await cache.discovery.resolve(target.apiVersion, target.kind).catch(() => null);
  const live = type ? await cache.get(target.apiVersion, target.kind, type.namespaced ? target.namespace : undefined, target.name) : null;
  const rules = env.ignoreRules as unknown as IgnoreRule[];
  let desiredYaml = "";
  let error: string | null = null;
  if (wanted?.type) {
    const verdict = await dryRunMerged(cache, wanted, live);
    error = verdict.error;
    desiredYaml = toDiffYaml(normalizeForDiff(applyIgnoreRules(verdict.merged ?? wanted.manifest, rules)));
  } else if (wanted) error = wanted.error;
  const liveYaml = live ? toDiffYaml(normalizeForDiff(applyIgnoreRules(live, rules))) : "";
  if (!wanted && !live) throw notFound(`${target.kind} ${target.name} is neither in Git nor in the cluster`);
  return { desiredYaml, liveYaml, inGit: Boolean(wanted), live: Boolean(live), error };
}

/** Files changed between the synced revision and the branch head, and the path's history. */
export async function pendingChanges(prisma: PrismaClient, mirrorsDir: string, environmentId: string) {
  const env = await prisma.environment.findUnique({ where: { id: environmentId } });
  if (!env) throw notFound(`Environment ${environmentId} does not exist`);
  const head = env.desiredRevision;
  const synced = env.syncedRevision;
  let files: Array<{ status: string; path: string }> = [];
  if (head && synced && head !== synced) {
    const out = await runGitIn(mirrorPath(mirrorsDir, env.repositoryId), ["diff", "--name-status", "--no-renames", "-z", synced, head]).catch(() =>
      Buffer.from(""),
    );
    const tokens = out.toString("utf8").split("\0").filter(Boolean);
    for (let i = 0; i + 1 < tokens.length; i += 2) files.push({ status: tokens[i]!, path: tokens[i + 1]! });
  }
  const history = await listCommits(prisma, env.repositoryId, { branch: env.branch, path: env.path || undefined, limit: 30 });
  const changedObjects = await prisma.resourceState.findMany({
    where: { environmentId, NOT: { syncStatus: "Synced" } },
    select: { kind: true, name: true, syncStatus: true },
  });
  // What runs is the newest commit touching this path that the synced revision contains.
  let deployed: string | null = null;
  if (synced) {
    const out = await runGitIn(mirrorPath(mirrorsDir, env.repositoryId), ["rev-list", "-n", "1", synced, "--", env.path || "."]).catch(() => Buffer.from(""));
    deployed = out.toString("utf8").trim() || null;
  }
  return { head, synced, files, changedObjects, history: history.items.map((c) => ({ ...c, deployed: c.sha === deployed })) };
}

export async function syncHistory(prisma: PrismaClient, environmentId: string, limit = 30) {
  const runs = await prisma.syncRun.findMany({ where: { environmentId }, orderBy: { startedAt: "desc" }, take: limit });
  const verifications = await verificationsOfRuns(
    prisma,
    runs.map((r) => r.id),
  );
  return runs.map((r) => ({
    ...r,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    verification: verifications.get(r.id) ?? null,
  }));
}

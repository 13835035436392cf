// One reconcile of one environment: render Git at the branch head, compare with the
// cluster, store the verdict per object, and sync when the policy says so.
import type { Environment, Prisma, PrismaClient } from "../generated/prisma/client";
import type { ClusterCache } from "../kube/cluster-cache";
import { AppError } from "../errors";
import type { IgnoreRule } from "../drift/ignore-rules";
import { desiredState, headRevision, type DesiredState } from "./desired";
import { compareEnvironment, idOf, type ObjectReport } from "./drift";
import { canonicalJson } from "../drift/normalize";
import { syncEnvironment, type SyncOutcome, type SyncResult } from "./sync";
import { DesiredStateCache } from "./desired-cache";
import type { JobQueue } from "../jobs/types";
import { freezeRefusal } from "../freeze/status";
import { noteEnvironmentChange } from "../notifications/domain-events";

export interface ReconcileDeps {
  prisma: PrismaClient;
  mirrorsDir: string;
  dataDir: string;
  cacheFor: (clusterId: string) => Promise<ClusterCache>;
  /** Renders of (environment settings, revision) this process already made. */
  rendered?: DesiredStateCache;
  jobs?: JobQueue;
  /** Makes sure this process's mirror holds the revision (another worker may have fetched it). */
  ensureRevision?: (repositoryId: string, revision: string) => Promise<void>;
}

export interface ReconcileOutcome {
  revision: string | null;
  syncStatus: "Synced" | "OutOfSync" | "Unknown";
  health: string;
  reports: ObjectReport[];
  synced: { runId: string; status: string } | null;
}

/**
 * One reconcile. Callers make sure only one runs per environment at a time: the job engine's
 * "environment.work" queue (one running job per environment, across every worker).
 */
export async function reconcileEnvironment(
  deps: ReconcileDeps,
  environmentId: string,
  opts: { allowAutoSync?: boolean; signal?: AbortSignal; env?: Environment } = {},
) {
  return { ran: true as const, ...(await reconcileLocked(deps, environmentId, opts.allowAutoSync ?? true, opts.signal, opts.env)) };
}

/** Desired state and per-object verdicts, without touching the cluster (also used for previews). */
export async function assessEnvironment(
  deps: ReconcileDeps,
  env: Environment,
  opts: { revision?: string } = {},
): Promise<{ desired: DesiredState; reports: ObjectReport[]; cache: ClusterCache; stored: StoredState[] }> {
  const cache = await deps.cacheFor(env.clusterId);
  // A held environment (rollback) stays at the held revision until the hold is released.
  const revision = opts.revision ?? (env.syncHold && env.syncHoldRevision ? env.syncHoldRevision : await headRevision(deps.prisma, env));
  await deps.ensureRevision?.(env.repositoryId, revision);
  const render = () => desiredState({ env, revision, mirrorsDir: deps.mirrorsDir, dataDir: deps.dataDir, discovery: cache.discovery });
  const desired = deps.rendered ? await deps.rendered.get(env, revision, cache.discovery, render) : await render();
  // Whole rows: the verdict cache below, and storeReports' "what changed" when nothing else wrote meanwhile.
  const stored = await deps.prisma.resourceState.findMany({ where: { environmentId: env.id } });
  const inventory = [
    ...new Map(stored.filter((r) => r.inInventory).map((r) => [`${r.apiVersion}|${r.kind}`, { apiVersion: r.apiVersion, kind: r.kind }])).values(),
  ];
  const previous = new Map(stored.map((r) => [idOf(r), r]));
  const reports = await compareEnvironment({
    cache,
    desired: desired.objects,
    environmentId: env.id,
    inventoryKinds: inventory,
    ignoreRules: env.ignoreRules as unknown as IgnoreRule[],
    previous,
  });
  return { desired, reports, cache, stored };
}

async function reconcileLocked(
  deps: ReconcileDeps,
  environmentId: string,
  allowAutoSync: boolean,
  signal?: AbortSignal,
  loaded?: Environment,
): Promise<ReconcileOutcome> {
  const { prisma } = deps;
  const env = loaded ?? (await prisma.environment.findUnique({ where: { id: environmentId } }));
  if (!env) throw new AppError("not_found", `Environment ${environmentId} does not exist`);
  // Being deleted with its objects pruned: nothing may re-create what the prune job deletes.
  if (env.deletionRequestedAt) return { revision: null, syncStatus: "Unknown", health: env.health, reports: [], synced: null };
  let assessed;
  try {
    assessed = await assessEnvironment(deps, env);
  } catch (e) {
    const message = e instanceof AppError ? e.message : String(e);
    await prisma.environment.update({ where: { id: env.id }, data: { renderError: message, syncStatus: "Unknown", lastReconciledAt: new Date() } });
    return { revision: null, syncStatus: "Unknown", health: env.health, reports: [], synced: null };
  }
  const { desired, reports, cache, stored } = assessed;
  await storeReports(prisma, env, desired.revision, reports, stored);

  const outOfSync = reports.some((r) => r.syncStatus !== "Synced");
  await noteEnvironmentChange(prisma, env);
  const newRevision = env.syncedRevision !== desired.revision;
  let synced = null;
  if (
    allowAutoSync &&
    env.autoSync &&
    !env.detectOnly &&
    outOfSync &&
    (newRevision || env.selfHeal) &&
    !reports.some((r) => r.syncStatus === "Error") &&
    !(await freezeRefusal(prisma, env.id, "sync"))
  ) {
    const result = await syncEnvironment({
      prisma,
      cache,
      environmentId: env.id,
      revision: desired.revision,
      desired: desired.objects,
      hooks: desired.hooks,
      reports,
      trigger: newRevision ? "auto" : "self-heal",
      actorName: "tideline",
      prune: env.prune,
      allowEmpty: env.allowEmpty,
      namespace: env.namespace,
      signal,
      onProgress: showSyncProgress(prisma, env, desired.revision, reports),
    });
    synced = { runId: result.runId, status: result.status };
    const after = reportsAfterSync(reports, result);
    await storeReports(prisma, env, desired.revision, after);
    await deps.jobs?.publish("syncRun.finished", { syncRunId: result.runId, environmentId: env.id, status: result.status });
    return { revision: desired.revision, ...summarize(after), reports: after, synced };
  }
  return { revision: desired.revision, ...summarize(reports), reports, synced };
}

/**
 * The verdicts after a sync, from what the sync did (no second render or diff): applied objects
 * match Git at the resourceVersion the API server answered with; pruned ones are gone.
 */
export function reportsAfterSync(before: ObjectReport[], sync: Pick<SyncResult, "results">): ObjectReport[] {
  const outcome = new Map<string, SyncOutcome>(sync.results.map((r) => [idOf(r), r]));
  const out: ObjectReport[] = [];
  for (const r of before) {
    const o = outcome.get(idOf(r));
    if (!o) {
      out.push(r);
      continue;
    }
    if (o.action === "pruned") continue;
    if (o.action === "applied" || o.action === "unchanged") {
      const health = (o.health as ObjectReport["health"]) ?? r.health;
      out.push({
        ...r,
        syncStatus: "Synced",
        error: null,
        changes: [],
        health,
        healthMessage: o.healthMessage ?? (health === r.health ? r.healthMessage : ""),
        liveVersion: o.resourceVersion ?? r.liveVersion,
      });
    } else if (o.action === "failed") out.push({ ...r, error: o.message });
    else out.push(r);
  }
  return out;
}

/**
 * While a sync runs, the environment's object list follows it: each object applied so far shows as
 * Synced with its health as the sync last read it (not "Missing" until the sync ends).
 */
export function showSyncProgress(prisma: PrismaClient, env: Environment, revision: string, before: ObjectReport[]) {
  return async (results: SyncOutcome[]) => {
    await storeReports(prisma, env, revision, reportsAfterSync(before, { results }));
  };
}

function summarize(reports: ObjectReport[]) {
  const syncStatus = reports.every((r) => r.syncStatus === "Synced") ? ("Synced" as const) : ("OutOfSync" as const);
  const order = ["Degraded", "Missing", "Progressing", "Suspended", "Unknown", "Healthy"];
  const worst =
    reports
      .filter((r) => r.syncStatus !== "Extraneous")
      .map((r) => r.health)
      .sort((a, b) => order.indexOf(a) - order.indexOf(b))[0] ?? "Healthy";
  return { syncStatus, health: worst };
}

type StoredState = Awaited<ReturnType<PrismaClient["resourceState"]["findMany"]>>[number];

/** `existing`: the environment's rows as read by this job's assessment (only this job writes them). */
export async function storeReports(prisma: PrismaClient, env: Environment, revision: string, reports: ObjectReport[], existing?: StoredState[]) {
  const { syncStatus, health } = summarize(reports);
  const errors = reports.filter((r) => r.error).map((r) => `${r.kind}/${r.name}: ${r.error}`);
  const rows = reports.map((r) => ({
    environmentId: env.id,
    apiVersion: r.apiVersion,
    kind: r.kind,
    namespace: r.namespace,
    name: r.name,
    syncStatus: r.syncStatus,
    health: r.health,
    healthMessage: r.healthMessage || null,
    message: r.error,
    inInventory: r.syncStatus !== "Missing" && r.syncStatus !== "Error",
    desiredHash: r.desiredHash,
    liveVersion: r.liveVersion,
    changes: r.changes as unknown as Prisma.InputJsonValue,
  }));
  // Only rows whose verdict changed are rewritten: a quiet reconcile of 1,000 objects writes one row.
  const before = existing ?? (await prisma.resourceState.findMany({ where: { environmentId: env.id } }));
  const fingerprint = (r: {
    syncStatus: string;
    health: string;
    healthMessage: string | null;
    message: string | null;
    inInventory: boolean;
    desiredHash: string | null;
    liveVersion: string | null;
    changes: unknown;
  }) => canonicalJson([r.syncStatus, r.health, r.healthMessage, r.message, r.inInventory, r.desiredHash, r.liveVersion, r.changes ?? null]); // jsonb reorders keys
  const byId = new Map(before.map((r) => [idOf(r), r]));
  const wanted = new Map(rows.map((r) => [idOf(r), r]));
  const stale = before.filter((r) => {
    const next = wanted.get(idOf(r));
    return !next || fingerprint(next) !== fingerprint(r);
  });
  const fresh = rows.filter((r) => {
    const old = byId.get(idOf(r));
    return !old || fingerprint(old) !== fingerprint(r);
  });
  await prisma.$transaction([
    ...(stale.length ? [prisma.resourceState.deleteMany({ where: { id: { in: stale.map((r) => r.id) } } })] : []),
    ...(fresh.length ? [prisma.resourceState.createMany({ data: fresh })] : []),
    prisma.environment.update({
      where: { id: env.id },
      data: {
        desiredRevision: revision,
        syncStatus,
        health: health as Environment["health"],
        // Soak time for promotions counts from when the environment became Synced and Healthy.
        healthySince: syncStatus === "Synced" && health === "Healthy" ? (env.healthySince ?? new Date()) : null,
        renderError: null,
        lastError: errors.length ? errors.slice(0, 3).join("; ") : null,
        objectCount: reports.filter((r) => r.syncStatus !== "Extraneous").length,
        outOfSyncCount: reports.filter((r) => r.syncStatus !== "Synced").length,
        lastReconciledAt: new Date(),
      },
    }),
  ]);
}

// One reconcile of one environment: render Git at the branch head, compare with the
// cluster, store the verdict per object, and sync when the policy says so.
import type { Environment, Prisma, PrismaClient } from "../generated/prisma/client";
import type { ClusterCache } from "../kube/cluster-cache";
import { AppError } from "../errors";
import type { IgnoreRule } from "../drift/ignore-rules";
import { desiredState, headRevision, type DesiredState } from "./desired";
import { compareEnvironment, idOf, type ObjectReport } from "./drift";
import { canonicalJson } from "../drift/normalize";
import { syncEnvironment } from "./sync";
import { withEnvironmentLease } from "./lease";

export interface ReconcileDeps {
  prisma: PrismaClient;
  mirrorsDir: string;
  dataDir: string;
  cacheFor: (clusterId: string) => Promise<ClusterCache>;
}

export interface ReconcileOutcome {
  revision: string | null;
  syncStatus: "Synced" | "OutOfSync" | "Unknown";
  health: string;
  reports: ObjectReport[];
  synced: { runId: string; status: string } | null;
}

const LEASE_MS = 10 * 60 * 1000;

export async function reconcileEnvironment(deps: ReconcileDeps, environmentId: string, opts: { allowAutoSync?: boolean } = {}) {
  const outcome = await withEnvironmentLease(deps.prisma, environmentId, LEASE_MS, () => reconcileLocked(deps, environmentId, opts.allowAutoSync ?? true));
  return outcome.ran ? { ran: true as const, ...outcome.value } : { ran: false as const };
}

/** Desired state and per-object verdicts, without touching the cluster (also used for previews). */
export async function assessEnvironment(
  deps: ReconcileDeps,
  env: Environment,
  opts: { revision?: string } = {},
): Promise<{ desired: DesiredState; reports: ObjectReport[]; cache: ClusterCache }> {
  const cache = await deps.cacheFor(env.clusterId);
  // A held environment (rollback) stays at the held revision until the hold is released.
  const revision = opts.revision ?? (env.syncHold && env.syncHoldRevision ? env.syncHoldRevision : await headRevision(deps.prisma, env));
  const desired = await desiredState({ env, revision, mirrorsDir: deps.mirrorsDir, dataDir: deps.dataDir, discovery: cache.discovery });
  const stored = await deps.prisma.resourceState.findMany({
    where: { environmentId: env.id },
    select: { apiVersion: true, kind: true, namespace: true, name: true, syncStatus: true, desiredHash: true, liveVersion: true, message: true, changes: true, inInventory: true },
  });
  const inventory = [...new Map(stored.filter((r) => r.inInventory).map((r) => [`${r.apiVersion}|${r.kind}`, { apiVersion: r.apiVersion, kind: r.kind }])).values()];
  const previous = new Map(stored.map((r) => [idOf(r), r]));
  const reports = await compareEnvironment({ cache, desired: desired.objects, environmentId: env.id, inventoryKinds: inventory, ignoreRules: env.ignoreRules as unknown as IgnoreRule[], previous });
  return { desired, reports, cache };
}

async function reconcileLocked(deps: ReconcileDeps, environmentId: string, allowAutoSync: boolean): Promise<ReconcileOutcome> {
  const { prisma } = deps;
  const env = await prisma.environment.findUnique({ where: { id: environmentId } });
  if (!env) throw new AppError("not_found", `Environment ${environmentId} does not exist`);
  let assessed;
  try {
    assessed = await assessEnvironment(deps, env);
  } catch (e) {
    const message = e instanceof AppError ? e.message : String(e);
    await prisma.environment.update({ where: { id: env.id }, data: { renderError: message, syncStatus: "Unknown", lastReconciledAt: new Date() } });
    return { revision: null, syncStatus: "Unknown", health: env.health, reports: [], synced: null };
  }
  const { desired, reports, cache } = assessed;
  await storeReports(prisma, env, desired.revision, reports);

  const outOfSync = reports.some((r) => r.syncStatus !== "Synced");
  const newRevision = env.syncedRevision !== desired.revision;
  let synced = null;
  if (allowAutoSync && env.autoSync && !env.detectOnly && outOfSync && (newRevision || env.selfHeal) && !reports.some((r) => r.syncStatus === "Error")) {
    synced = await syncEnvironment({
      prisma, cache, environmentId: env.id, revision: desired.revision, desired: desired.objects, reports,
      trigger: newRevision ? "auto" : "self-heal", actorName: "tideline", prune: env.prune, allowEmpty: env.allowEmpty, namespace: env.namespace,
    });
    const after = await assessEnvironment(deps, env);
    await storeReports(prisma, env, desired.revision, after.reports);
    return { revision: desired.revision, ...summarize(after.reports), reports: after.reports, synced };
  }
  return { revision: desired.revision, ...summarize(reports), reports, synced };
}

function summarize(reports: ObjectReport[]) {
  const syncStatus = reports.every((r) => r.syncStatus === "Synced") ? ("Synced" as const) : ("OutOfSync" as const);
  const order = ["Degraded", "Missing", "Progressing", "Suspended", "Unknown", "Healthy"];
  const worst = reports.filter((r) => r.syncStatus !== "Extraneous").map((r) => r.health).sort((a, b) => order.indexOf(a) - order.indexOf(b))[0] ?? "Healthy";
  return { syncStatus, health: worst };
}

export async function storeReports(prisma: PrismaClient, env: Environment, revision: string, reports: ObjectReport[]) {
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
  const existing = await prisma.resourceState.findMany({ where: { environmentId: env.id } });
  const fingerprint = (r: { syncStatus: string; health: string; healthMessage: string | null; message: string | null; inInventory: boolean; desiredHash: string | null; liveVersion: string | null; changes: unknown }) =>
    canonicalJson([r.syncStatus, r.health, r.healthMessage, r.message, r.inInventory, r.desiredHash, r.liveVersion, r.changes ?? null]); // jsonb reorders keys
  const before = new Map(existing.map((r) => [idOf(r), r]));
  const wanted = new Map(rows.map((r) => [idOf(r), r]));
  const stale = existing.filter((r) => {
    const next = wanted.get(idOf(r));
    return !next || fingerprint(next) !== fingerprint(r);
  });
  const fresh = rows.filter((r) => {
    const old = before.get(idOf(r));
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

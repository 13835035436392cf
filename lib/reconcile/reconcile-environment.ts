// One reconcile of one environment: render Git at the branch head, compare with the
// cluster, store the verdict per object, and sync when the policy says so.
import type { Environment, Prisma, PrismaClient } from "../generated/prisma/client";
import type { ClusterCache } from "../kube/cluster-cache";
import { AppError } from "../errors";
import type { IgnoreRule } from "../drift/ignore-rules";
import { desiredState, headRevision, type DesiredState } from "./desired";
import { compareEnvironment, type ObjectReport } from "./drift";
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
export async function assessEnvironment(deps: ReconcileDeps, env: Environment): Promise<{ desired: DesiredState; reports: ObjectReport[]; cache: ClusterCache }> {
  const cache = await deps.cacheFor(env.clusterId);
  const revision = await headRevision(deps.prisma, env);
  const desired = await desiredState({ env, revision, mirrorsDir: deps.mirrorsDir, dataDir: deps.dataDir, discovery: cache.discovery });
  const inventory = await deps.prisma.resourceState.findMany({ where: { environmentId: env.id, inInventory: true }, distinct: ["apiVersion", "kind"], select: { apiVersion: true, kind: true } });
  const reports = await compareEnvironment({ cache, desired: desired.objects, environmentId: env.id, inventoryKinds: inventory, ignoreRules: env.ignoreRules as unknown as IgnoreRule[] });
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
  await prisma.$transaction([
    prisma.resourceState.deleteMany({ where: { environmentId: env.id } }),
    prisma.resourceState.createMany({
      data: reports.map((r) => ({
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
      })),
    }),
    prisma.environment.update({
      where: { id: env.id },
      data: {
        desiredRevision: revision,
        syncStatus,
        health: health as Environment["health"],
        renderError: null,
        lastError: errors.length ? errors.slice(0, 3).join("; ") : null,
        objectCount: reports.filter((r) => r.syncStatus !== "Extraneous").length,
        outOfSyncCount: reports.filter((r) => r.syncStatus !== "Synced").length,
        lastReconciledAt: new Date(),
      },
    }),
  ]);
}

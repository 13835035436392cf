// Clusters on the job engine: a connection check per cluster every minute, and one owner of each
// cluster's live drift detection at a time. The owner holds a "cluster.watch" job (heartbeated):
// it watches the kinds its environments use and queues a reconcile when one of their objects
// changes. It hands over after a while, or when it dies (heartbeat lapses, another worker takes
// the job that the minute sweep keeps queued behind it).
import type { PrismaClient } from "../generated/prisma/client";
import type { ClusterCache } from "../kube/cluster-cache";
import type { JobContext, JobQueue } from "../jobs/types";
import { INVENTORY_LABEL } from "../reconcile/desired";
import { idOf } from "../reconcile/drift";
import { logger } from "../log/logger";

const log = logger("clusters");

export async function enqueueClusterWork(deps: { prisma: PrismaClient; jobs: JobQueue }, opts: { checkIntervalSeconds: number }) {
  const clusters = await deps.prisma.cluster.findMany({ select: { id: true, lastCheckedAt: true } });
  for (const c of clusters) {
    // Sent every minute: with one watch running, this keeps one queued behind it for a quick hand-over.
    await deps.jobs.send("cluster.watch", { clusterId: c.id });
    const due = opts.checkIntervalSeconds > 0 && (!c.lastCheckedAt || Date.now() - c.lastCheckedAt.getTime() > opts.checkIntervalSeconds * 1000 - 5_000);
    if (due) await deps.jobs.send("cluster.check", { clusterId: c.id });
  }
  return clusters.length;
}

export interface WatchDeps {
  prisma: PrismaClient;
  jobs: JobQueue;
  cacheFor: (clusterId: string) => Promise<ClusterCache>;
  /** Aborted when this process stops. */
  stopping?: AbortSignal;
  /** Recorded on the cluster while this process owns its watch. */
  workerName?: string;
}

const DEBOUNCE_MS = 250;
const KINDS_REFRESH_MS = 30_000;

/** Runs while this process owns the cluster's watch; resolves when it hands over. */
export async function ownClusterWatch(deps: WatchDeps, clusterId: string, ctx: JobContext, holdMs = 30 * 60_000): Promise<{ events: number }> {
  const cluster = await deps.prisma.cluster.findUnique({ where: { id: clusterId }, select: { id: true } });
  if (!cluster) return { events: 0 };
  const cache = await deps.cacheFor(clusterId);
  const owner = deps.workerName ?? "unknown";
  await deps.prisma.cluster.update({ where: { id: clusterId }, data: { watchOwner: owner, watchOwnerSince: new Date() } });
  // A new owner's first LIST of each kind replays every object as ADDED: those at the version their
  // environment last assessed did not change while nobody watched, and are no reason to reconcile
  // (otherwise every hand-over to a fresh process queues the whole fleet at once).
  const assessed = await assessedVersions(deps.prisma, clusterId);
  const pending = new Set<string>();
  let events = 0;
  let flushTimer: NodeJS.Timeout | undefined;
  const flush = () => {
    flushTimer = undefined;
    const ids = [...pending];
    pending.clear();
    for (const environmentId of ids)
      void deps.jobs
        .send("environment.work", { environmentId, reason: "live change" })
        .catch((e: Error) => log.warn({ err: e, environmentId }, "queueing a reconcile after a live change failed"));
  };
  const stopListening = cache.onChange((type, obj) => {
    const env = obj.metadata.labels?.[INVENTORY_LABEL];
    if (!env) return;
    const key = versionKey(env, { apiVersion: obj.apiVersion ?? "", kind: obj.kind ?? "", namespace: obj.metadata.namespace ?? "", name: obj.metadata.name });
    const known = assessed.get(key);
    if (known !== undefined) {
      assessed.delete(key); // resource versions never repeat: only the first sight can match
      if (type !== "DELETED" && known === obj.metadata.resourceVersion) return;
    }
    events += 1;
    pending.add(env);
    flushTimer ??= setTimeout(flush, DEBOUNCE_MS);
  });
  try {
    const deadline = Date.now() + holdMs;
    while (Date.now() < deadline && !ctx.signal.aborted && !deps.stopping?.aborted) {
      await watchKindsInUse(deps.prisma, cache, clusterId).catch((e: Error) => log.warn({ err: e, clusterId }, "watching the kinds in use failed"));
      await sleep(Math.min(KINDS_REFRESH_MS, Math.max(0, deadline - Date.now())), [ctx.signal, deps.stopping]);
    }
  } finally {
    stopListening();
    if (flushTimer) clearTimeout(flushTimer);
    flush();
    await deps.prisma.cluster.updateMany({ where: { id: clusterId, watchOwner: owner }, data: { watchOwner: null, watchOwnerSince: null } }).catch(() => {});
  }
  return { events };
}

/** One object of one environment (the same object id the drift check uses). */
const versionKey = (environmentId: string, o: Parameters<typeof idOf>[0]) => `${environmentId}|${idOf(o)}`;

/** The live resourceVersion each environment's last assessment saw, per object on this cluster. */
async function assessedVersions(prisma: PrismaClient, clusterId: string): Promise<Map<string, string>> {
  const rows = await prisma.resourceState.findMany({
    where: { environment: { clusterId }, liveVersion: { not: null } },
    select: { environmentId: true, apiVersion: true, kind: true, namespace: true, name: true, liveVersion: true },
  });
  return new Map(rows.map((r) => [versionKey(r.environmentId, r), r.liveVersion!]));
}

/** Starts the watches of every kind an environment on this cluster has applied (new kinds appear over time). */
async function watchKindsInUse(prisma: PrismaClient, cache: ClusterCache, clusterId: string) {
  const kinds = await prisma.resourceState.findMany({
    where: { environment: { clusterId }, inInventory: true },
    distinct: ["apiVersion", "kind"],
    select: { apiVersion: true, kind: true },
  });
  for (const k of kinds) await cache.kind(k.apiVersion, k.kind).catch(() => {});
}

function sleep(ms: number, signals: Array<AbortSignal | undefined>) {
  return new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      for (const s of signals) s?.removeEventListener("abort", done);
      resolve();
    }
    for (const s of signals) s?.addEventListener("abort", done);
  });
}

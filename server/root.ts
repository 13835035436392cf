// The composition root: the one place where Tideline's parts are built from this process's
// configuration. Only app/ routes, instrumentation.ts, the worker entry (server/worker-main.ts),
// scripts and tests import it; lib/ never does (lib modules take what they need as arguments).
import { db } from "../lib/db";
import { env } from "../lib/env";
import { seal, unseal } from "../lib/crypto/keyring";
import { cacheForClusterId } from "../lib/clusters/registry";
import { JobEngine } from "../lib/jobs/engine";
import { DesiredStateCache } from "../lib/reconcile/desired-cache";
import { ensureRevisionInMirror } from "../lib/repositories/ensure-revision";
import type { FetchDeps } from "../lib/repositories/fetch-repository";
import type { BrowseDeps } from "../lib/repositories/browse";
import type { ClusterDeps } from "../lib/clusters/manage-clusters";
import type { ReconcileDeps } from "../lib/reconcile/reconcile-environment";
import type { WriteDeps } from "../lib/repositories/write-branch";
import type { MergeDeps } from "../lib/changes/merge-change";
import type { AutomationDeps } from "../lib/images/automation-types";
import type { PromotionDeps } from "../lib/promotions/deps";
import type { GitWebhookDeps } from "../lib/webhooks/git-webhook";
import type { ScrapeDeps } from "../lib/metrics/scrape";
import type { TreeDeps } from "../lib/tree/environment-tree";
import { LiveHub } from "../lib/live/live-hub";
import { PgNotifications } from "../lib/live/pg-notifications";
import { UserHintHub } from "../lib/live/user-hints";
import { getEnvironment } from "../lib/environments/environment-detail";
import { logger } from "../lib/log/logger";

interface ProcessParts {
  engine?: JobEngine;
  live?: LiveHub;
  liveNotifications?: PgNotifications;
  hints?: UserHintHub;
  rendered: DesiredStateCache;
  stopping: AbortController;
}

// On globalThis so Next's dev reloads keep one engine per process.
const g = globalThis as unknown as { tidelineParts?: ProcessParts };
const parts = (): ProcessParts => (g.tidelineParts ??= { rendered: new DesiredStateCache(), stopping: new AbortController() });

export const log = logger("server");
const liveLogger = logger("live");

/** This process's job engine (sending only, until startWorker registers the handlers). */
export function jobs(): JobEngine {
  const p = parts();
  p.engine ??= new JobEngine({ connectionString: env().DATABASE_URL, schema: env().TIDELINE_JOB_SCHEMA, instanceName: process.env.TIDELINE_WORKER_NAME });
  return p.engine;
}

export const stoppingSignal = () => parts().stopping.signal;

export const fetchDeps = (): FetchDeps & { jobs: JobEngine } => ({ prisma: db(), mirrorsDir: env().mirrorsDir, unseal, jobs: jobs() });
export const browseDeps = (): BrowseDeps => ({ prisma: db(), mirrorsDir: env().mirrorsDir, maxFileBytes: env().TIDELINE_MAX_FILE_BYTES });
export const sealDeps = () => ({ prisma: db(), seal });
export const clusterDeps = (): ClusterDeps => ({ prisma: db(), seal, unseal });
export const reconcileDeps = (): ReconcileDeps & { jobs: JobEngine } => ({
  prisma: db(),
  mirrorsDir: env().mirrorsDir,
  dataDir: env().TIDELINE_DATA_DIR,
  cacheFor: (clusterId) => cacheForClusterId(db(), clusterId, unseal),
  rendered: parts().rendered,
  jobs: jobs(),
  ensureRevision: (repositoryId, revision) => ensureRevisionInMirror({ prisma: db(), mirrorsDir: env().mirrorsDir, unseal }, repositoryId, revision),
});

/** Pushes by Tideline are fetched and indexed by a job at once (then branch.moved reconciles). */
export const writeDeps = (): WriteDeps => ({
  prisma: db(),
  mirrorsDir: env().mirrorsDir,
  unseal,
  onPushed: async (repositoryId) => {
    await jobs().send("repository.fetch", { repositoryId, reason: "pushed by Tideline" });
  },
});

/** Change requests: writes as above; a merge is announced (promotions land, rollback holds release). */
export const changeDeps = (): MergeDeps => ({
  ...writeDeps(),
  afterMerge: async (cr) => {
    await jobs().publish("changeRequest.merged", { changeRequestId: cr.id });
  },
});

export const promotionDeps = (): PromotionDeps => ({ ...changeDeps(), ...reconcileDeps() });

/** Image automation: writes like any Tideline push (indexed, reconciled), reads registries with fetch. */
export const imageDeps = (): AutomationDeps => writeDeps();

/** Git webhooks: a verified push queues the repository's fetch (one more after a running one). */
export const gitWebhookDeps = (): GitWebhookDeps => ({
  prisma: db(),
  unseal,
  startFetch: (repositoryId) =>
    void jobs()
      .send("repository.fetch", { repositoryId, reason: "webhook" })
      .catch((e: Error) => log.error({ err: e, repositoryId }, "queueing the fetch of a pushed repository failed")),
});

/** /metrics on the web port reports the database figures too; the worker's metrics port only its own counters. */
export const metricsDeps = (opts: { fleet: boolean }): ScrapeDeps => ({
  prisma: db(),
  metricsToken: env().TIDELINE_METRICS_TOKEN,
  fleet: opts.fleet
    ? {
        jobs: { prisma: db(), engine: jobs(), schema: env().TIDELINE_JOB_SCHEMA },
        onError: (source, e) => log.warn({ err: e, source }, "metrics: reading a fleet figure failed"),
      }
    : undefined,
});

/** Resource trees and events read the cluster through this process's watch cache. */
export const treeDeps = (): TreeDeps => ({ prisma: db(), cacheFor: (clusterId) => cacheForClusterId(db(), clusterId, unseal) });

/** This process's one LISTEN connection, shared by the environment streams and the user hints. */
function liveNotifications(): PgNotifications {
  const p = parts();
  p.liveNotifications ??= new PgNotifications(env().DATABASE_URL, (m) => liveLogger.warn(m));
  return p.liveNotifications;
}

/** This process's per-user change hints (GET /api/live). */
export function userHints(): UserHintHub {
  const p = parts();
  p.hints ??= new UserHintHub({ prisma: db(), notifications: liveNotifications() });
  return p.hints;
}

/** This process's live feeds for the environment streams (one LISTEN connection, one channel per open environment). */
export function liveHub(): LiveHub {
  const p = parts();
  const liveLog = (m: string) => liveLogger.warn(m);
  p.live ??= new LiveHub({
    ...treeDeps(),
    notifications: liveNotifications(),
    environmentDetail: (id) => getEnvironment(db(), id),
    log: liveLog,
  });
  return p.live;
}

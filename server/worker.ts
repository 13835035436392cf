// Runs Tideline's jobs in this process: registers one handler per job name and the periodic
// sweeps. Used by instrumentation.ts (role "all" or "worker" inside Next) and server/worker-main.ts.
import type { JobHandlers } from "../lib/jobs/types";
import { env } from "../lib/env";
import { db } from "../lib/db";
import { checkCluster } from "../lib/clusters/manage-clusters";
import { enqueueClusterWork, ownClusterWatch } from "../lib/clusters/cluster-jobs";
import { runEnvironmentWork, workerName } from "../lib/reconcile/environment-work";
import { enqueueDueReconciles, onBranchMoved } from "../lib/reconcile/on-branch-moved";
import { enqueueDueFetches, runFetchJob } from "../lib/repositories/fetch-job";
import { advancePromotions } from "../lib/promotions/land";
import { runEnvironmentDeletion } from "../lib/environments/delete-environment";
import { landApprovedPromotion, requeueWaitingPromotions } from "../lib/promotions/decide";
import { onChangeRequestMerged } from "../lib/promotions/on-change-merged";
import { enqueueDuePolicies, runImageCheck } from "../lib/images/image-jobs";
import { trackSyncedUpdates } from "../lib/images/automation-sync";
import { pruneDeliveries } from "../lib/webhooks/deliveries";
import { deliverNotification, ownRelay, relayPending } from "../lib/notifications/deliver";
import { noteSyncFinished } from "../lib/notifications/domain-events";
import { announceFreezeTransitions } from "../lib/freeze/sweep";
import { pruneNotifications } from "../lib/notifications/prune";
import { clusterDeps, fetchDeps, imageDeps, jobs, promotionDeps, reconcileDeps, stoppingSignal } from "./root";
import { notifyDeps } from "./notify-root";
import { requeueVerifications, startVerification } from "../lib/verification/start";
import { runVerification } from "../lib/verification/run";

export function jobHandlers(): JobHandlers {
  const queue = { prisma: db(), jobs: jobs() };
  return {
    "repository.fetch": (p) => runFetchJob(fetchDeps(), p.repositoryId),
    "environment.work": (p, ctx) => runEnvironmentWork(reconcileDeps(), p.environmentId, ctx),
    "environment.delete": (p) => runEnvironmentDeletion(reconcileDeps(), p.environmentId).then(() => null),
    "promotion.land": (p) => landApprovedPromotion(promotionDeps(), { id: p.actorId, username: p.actorName }, p.promotionId).then(() => null),
    "promotion.track": (p) => advancePromotions(promotionDeps(), { environmentId: p.environmentId }),
    "image.check": (p) => runImageCheck({ ...imageDeps() }, p.policyId, p.scheduledAt).then(() => null),
    "cluster.check": (p) =>
      checkCluster(clusterDeps(), p.clusterId).then(
        () => null,
        () => null,
      ),
    "cluster.watch": (p, ctx) => ownClusterWatch({ ...reconcileDeps(), stopping: stoppingSignal(), workerName: workerName() }, p.clusterId, ctx),
    "on.branch-moved": (e) => onBranchMoved({ ...queue, mirrorsDir: reconcileDeps().mirrorsDir, ensureRevision: reconcileDeps().ensureRevision }, e),
    "on.change-request-merged": (e) => onChangeRequestMerged(promotionDeps(), e.changeRequestId),
    "on.sync-run-finished": async (e) => {
      await jobs().send("promotion.track", { environmentId: e.environmentId });
      await trackSyncedUpdates(reconcileDeps());
    },
    "environment.verify": (p, ctx) => runVerification({ ...promotionDeps(), outboundHosts: env().TIDELINE_OUTBOUND_HOSTS }, p.environmentId, ctx),
    "verify.sync-run-finished": (e) => startVerification(queue, e.syncRunId).then(() => null),
    "schedule.fetch-due": () => enqueueDueFetches(queue, env().TIDELINE_FETCH_INTERVAL_SECONDS),
    "schedule.resync-due": () => enqueueDueReconciles(queue, env().TIDELINE_RECONCILE_INTERVAL_SECONDS),
    "schedule.clusters": () => enqueueClusterWork(queue, { checkIntervalSeconds: env().TIDELINE_CLUSTER_CHECK_INTERVAL_SECONDS }),
    "schedule.images-due": async () => (env().TIDELINE_IMAGE_POLL_TICK_SECONDS > 0 ? enqueueDuePolicies(queue) : 0),
    "schedule.promotions": async () => {
      await requeueWaitingPromotions(promotionDeps());
      await advancePromotions(promotionDeps());
      await requeueVerifications(queue);
    },
    "schedule.prune-deliveries": () => pruneDeliveries(db()),
    "notification.deliver": (p, ctx) => deliverNotification(notifyDeps(), p.deliveryId, ctx),
    "notification.relay": (_p, ctx) => ownRelay({ ...queue, connectionString: env().DATABASE_URL, stopping: stoppingSignal() }, ctx),
    "notify.sync-run-finished": (e) => noteSyncFinished(db(), e.syncRunId),
    "schedule.notifications": async () => {
      // Keeps one relay queued behind the running one (hand-over), and catches deliveries no relay saw.
      await jobs().send("notification.relay", {});
      await relayPending(queue);
      await announceFreezeTransitions(db());
      await pruneNotifications(db());
    },
  };
}

/**
 * Starts working on jobs (idempotent per process); the first sweeps run at once. `periodic: false`
 * runs only what is queued (tests that share one database must not sweep each other's fleets).
 */
export async function startWorker(opts: { periodic?: boolean } = {}): Promise<void> {
  const g = globalThis as unknown as { tidelineWorker?: Promise<void> };
  g.tidelineWorker ??= (async () => {
    const engine = jobs();
    await engine.work(jobHandlers());
    if (opts.periodic === false) return;
    await engine.schedulePeriodicWork();
    // Do not wait a minute for the first pass after a start.
    for (const name of ["schedule.clusters", "schedule.resync-due", "schedule.fetch-due", "schedule.notifications"] as const) await engine.send(name, {});
  })();
  // Failed (Postgres unreachable at start): the next call starts again.
  g.tidelineWorker.catch(() => (g.tidelineWorker = undefined));
  return g.tidelineWorker;
}

export async function stopWorker(): Promise<void> {
  const g = globalThis as unknown as { tidelineParts?: { stopping: AbortController } };
  g.tidelineParts?.stopping.abort();
  await jobs().stop({ graceful: true });
}

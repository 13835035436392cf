// How each job behaves on the queue: exclusivity per key (pg-boss policies), heartbeats, retries
// with backoff. Every queue heartbeats, short jobs too: a dead worker's job is failed by the
// heartbeat monitor and retried by another worker (heartbeat 10 s + monitor pass 5 s + poll 1 s
// keeps takeover under 30 s, where expiry alone took minutes), and a cancelled running job's
// signal is aborted at its next heartbeat, so its handler stops instead of running on.
import type { DomainEventName, JobName, JobPayloads } from "./types";

export interface QueueSpec {
  /** stately: one queued + one running per key, so repeated triggers collapse and never overlap. */
  policy: "standard" | "stately" | "singleton";
  /** The exclusivity key of a job (environment id, repository id, ...). */
  key?: (payload: never) => string;
  /** Seconds between a running job's heartbeats (default HEARTBEAT). */
  heartbeatSeconds?: number;
  expireInSeconds: number;
  retryLimit: number;
  retryDelay: number;
  /** Jobs this process runs at once (per queue). */
  concurrency: number;
  /** Idle poll of this queue, seconds (default 2); slow sweeps poll less to keep an idle worker idle. */
  pollSeconds?: number;
}

export const HEARTBEAT = 10;

const specs: Record<JobName, QueueSpec> = {
  "repository.fetch": {
    policy: "stately",
    key: (p: JobPayloads["repository.fetch"]) => p.repositoryId,
    expireInSeconds: 3600,
    retryLimit: 5,
    retryDelay: 5,
    concurrency: 2,
  },
  "environment.work": {
    policy: "stately",
    key: (p: JobPayloads["environment.work"]) => p.environmentId,
    expireInSeconds: 3600,
    retryLimit: 8,
    retryDelay: 2,
    concurrency: 8,
  },
  "environment.delete": {
    policy: "stately",
    key: (p: JobPayloads["environment.delete"]) => p.environmentId,
    expireInSeconds: 1800,
    retryLimit: 5,
    retryDelay: 10,
    concurrency: 2,
  },
  "promotion.land": {
    policy: "stately",
    key: (p: JobPayloads["promotion.land"]) => p.promotionId,
    expireInSeconds: 600,
    retryLimit: 8,
    retryDelay: 2,
    concurrency: 2,
  },
  "promotion.track": {
    policy: "stately",
    key: (p: JobPayloads["promotion.track"]) => p.environmentId,
    expireInSeconds: 300,
    retryLimit: 3,
    retryDelay: 5,
    concurrency: 2,
  },
  "image.check": {
    policy: "stately",
    key: (p: JobPayloads["image.check"]) => p.policyId,
    expireInSeconds: 600,
    retryLimit: 2,
    retryDelay: 30,
    concurrency: 4,
    pollSeconds: 5,
  },
  "cluster.check": {
    policy: "stately",
    key: (p: JobPayloads["cluster.check"]) => p.clusterId,
    expireInSeconds: 120,
    retryLimit: 1,
    retryDelay: 10,
    concurrency: 2,
    pollSeconds: 10,
  },
  // The owner of a cluster's watch runs for a while, then hands over (the schedule keeps one queued).
  "cluster.watch": {
    policy: "stately",
    key: (p: JobPayloads["cluster.watch"]) => p.clusterId,
    expireInSeconds: 7200,
    retryLimit: 1000,
    retryDelay: 1,
    concurrency: 4,
  },
  // A verification waits out its healthy window (minutes): heartbeated, retried, resumed from its row.
  "environment.verify": {
    policy: "stately",
    key: (p: JobPayloads["environment.verify"]) => p.environmentId,
    expireInSeconds: 3 * 3600,
    retryLimit: 20,
    retryDelay: 2,
    concurrency: 4,
  },
  "verify.sync-run-finished": { policy: "standard", expireInSeconds: 120, retryLimit: 5, retryDelay: 2, concurrency: 2 },
  "on.branch-moved": { policy: "standard", expireInSeconds: 120, retryLimit: 5, retryDelay: 2, concurrency: 2 },
  "on.change-request-merged": { policy: "standard", expireInSeconds: 300, retryLimit: 5, retryDelay: 2, concurrency: 2 },
  "on.sync-run-finished": { policy: "standard", expireInSeconds: 120, retryLimit: 5, retryDelay: 2, concurrency: 2 },
  "schedule.fetch-due": { policy: "stately", key: () => "all", expireInSeconds: 300, retryLimit: 0, retryDelay: 0, concurrency: 1, pollSeconds: 10 },
  "schedule.resync-due": { policy: "stately", key: () => "all", expireInSeconds: 300, retryLimit: 0, retryDelay: 0, concurrency: 1, pollSeconds: 10 },
  "schedule.clusters": { policy: "stately", key: () => "all", expireInSeconds: 300, retryLimit: 0, retryDelay: 0, concurrency: 1, pollSeconds: 10 },
  "schedule.images-due": { policy: "stately", key: () => "all", expireInSeconds: 300, retryLimit: 0, retryDelay: 0, concurrency: 1, pollSeconds: 10 },
  "schedule.promotions": { policy: "stately", key: () => "all", expireInSeconds: 300, retryLimit: 0, retryDelay: 0, concurrency: 1, pollSeconds: 10 },
  "schedule.prune-deliveries": { policy: "stately", key: () => "all", expireInSeconds: 600, retryLimit: 1, retryDelay: 60, concurrency: 1, pollSeconds: 10 },
  // Backoff 1, 2, 4 ... 32 s between attempts (NOTIFICATION_RETRY_LIMIT retries), then the delivery is failed.
  "notification.deliver": {
    policy: "stately",
    key: (p: JobPayloads["notification.deliver"]) => p.deliveryId,
    expireInSeconds: 120,
    retryLimit: 6,
    retryDelay: 1,
    concurrency: 8,
  },
  "notification.relay": {
    policy: "stately",
    key: () => "all",
    expireInSeconds: 1800,
    retryLimit: 1000,
    retryDelay: 1,
    concurrency: 1,
  },
  "notify.sync-run-finished": { policy: "standard", expireInSeconds: 120, retryLimit: 5, retryDelay: 2, concurrency: 2 },
  "schedule.notifications": { policy: "stately", key: () => "all", expireInSeconds: 300, retryLimit: 0, retryDelay: 0, concurrency: 1, pollSeconds: 10 },
};

export const queueSpec = (name: JobName): QueueSpec & { heartbeatSeconds: number } => ({ heartbeatSeconds: HEARTBEAT, ...specs[name] });
export const jobNames = Object.keys(specs) as JobName[];

/** Which subscriber queue each domain event feeds (pg-boss pub/sub: one job per subscriber). */
export const subscriptions: Array<[DomainEventName, JobName]> = [
  ["branch.moved", "on.branch-moved"],
  ["changeRequest.merged", "on.change-request-merged"],
  ["syncRun.finished", "on.sync-run-finished"],
  ["syncRun.finished", "notify.sync-run-finished"],
  ["syncRun.finished", "verify.sync-run-finished"],
];

/** Periodic work: cron (UTC) per sweep; each sweep decides itself what is due. */
export const schedules: Array<[JobName, string]> = [
  ["schedule.fetch-due", "* * * * *"],
  ["schedule.resync-due", "* * * * *"],
  ["schedule.clusters", "* * * * *"],
  ["schedule.images-due", "* * * * *"],
  ["schedule.promotions", "* * * * *"],
  ["schedule.prune-deliveries", "17 */6 * * *"],
  ["schedule.notifications", "* * * * *"],
];

// Every job and domain event Tideline knows, with its payload: the one place to look up what
// background work exists. Domains enqueue through JobQueue, never through pg-boss directly.

export interface JobPayloads {
  /** Fetch a repository into its mirror and index it (one per repository at a time). */
  "repository.fetch": { repositoryId: string; reason: string };
  /** Everything an environment needs next: queued syncs first, else a reconcile (one per environment at a time). */
  "environment.work": { environmentId: string; reason: string };
  /** Delete an environment marked for deletion: prune its labelled live objects, then its row. */
  "environment.delete": { environmentId: string; actorName: string };
  /** A merged promotion: record it and sync the target (or leave it for a person). */
  "promotion.land": { promotionId: string; actorId: string; actorName: string };
  /** Move landed promotions of one environment on (succeeded / failed) after a sync or reconcile. */
  "promotion.track": { environmentId: string };
  /** Check one image policy's registry for a newer tag and write it. */
  "image.check": { policyId: string; scheduledAt?: string };
  /** Check one cluster's connection, version and permissions. */
  "cluster.check": { clusterId: string };
  /** Own one cluster's watch cache and its live drift detection (long-running, heartbeated). */
  "cluster.watch": { clusterId: string };
  /** React to a domain event (the subscriber queues below). */
  "on.branch-moved": DomainEvents["branch.moved"];
  "on.change-request-merged": DomainEvents["changeRequest.merged"];
  "on.sync-run-finished": DomainEvents["syncRun.finished"];
  /** Follow an environment's running verification after a sync to its verdict (and roll back when it fails). */
  "environment.verify": { environmentId: string; reason: string };
  "verify.sync-run-finished": DomainEvents["syncRun.finished"];
  /** Periodic sweeps (schedules): find what is due and enqueue it. */
  "schedule.fetch-due": Record<string, never>;
  "schedule.resync-due": Record<string, never>;
  "schedule.clusters": Record<string, never>;
  "schedule.images-due": Record<string, never>;
  "schedule.promotions": Record<string, never>;
  "schedule.prune-deliveries": Record<string, never>;
  /** Notifications: send one delivery (event x channel subscription); hold the relay that queues them. */
  "notification.deliver": { deliveryId: string };
  "notification.relay": Record<string, never>;
  "notify.sync-run-finished": DomainEvents["syncRun.finished"];
  /** Keeps a relay queued, queues lost deliveries, announces freeze windows opening and closing. */
  "schedule.notifications": Record<string, never>;
}

export type JobName = keyof JobPayloads;

export interface DomainEvents {
  "repository.fetched": { repositoryId: string; branchesUpdated: number };
  "branch.moved": { repositoryId: string; branches: string[] };
  "changeRequest.merged": { changeRequestId: string };
  "syncRun.finished": { syncRunId: string; environmentId: string; status: string };
}

export type DomainEventName = keyof DomainEvents;

export interface SendOptions {
  /** Seconds to wait before the job may start. */
  startAfterSeconds?: number;
  /** Higher runs first among waiting jobs of the same name (default 0). */
  priority?: number;
}

/** What domains may do with the engine: enqueue work and announce what happened. */
export interface JobQueue {
  send<N extends JobName>(name: N, payload: JobPayloads[N], opts?: SendOptions): Promise<string | null>;
  publish<E extends DomainEventName>(event: E, payload: DomainEvents[E]): Promise<void>;
}

/** Given to a running handler: cancellation (the job expired or the process stops) and its identity. */
export interface JobContext {
  jobId: string;
  attempt: number;
  signal: AbortSignal;
}

export type JobHandler<N extends JobName> = (payload: JobPayloads[N], ctx: JobContext) => Promise<unknown>;
export type JobHandlers = { [N in JobName]?: JobHandler<N> };

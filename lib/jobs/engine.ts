// The job engine: pg-boss on Tideline's own Postgres (schema "tideline_jobs"). Queues, schedules
// and event subscriptions are declared in queues.ts; handlers are registered by the worker entry.
// A process in the web role only sends; a worker also runs handlers (see server/root.ts).
import { PgBoss, type Job } from "pg-boss";
import { jobNames, queueSpec, schedules, subscriptions } from "./queues";
import type { DomainEventName, DomainEvents, JobContext, JobHandlers, JobName, JobPayloads, JobQueue, SendOptions } from "./types";
import { type LogBindings, withLogContext } from "../log/context";
import { logger } from "../log/logger";

const log = logger("jobs");

export const JOB_SCHEMA = "tideline_jobs";

export interface EngineOptions {
  connectionString: string;
  /** Postgres schema for pg-boss's tables (default tideline_jobs). */
  schema?: string;
  /** Shown in pg-boss's instance registry (e.g. "worker-1"). */
  instanceName?: string;
  /** Idle poll interval in seconds (LISTEN/NOTIFY wakes workers at once; polling is the floor). */
  pollingIntervalSeconds?: number;
}

export class JobEngine implements JobQueue {
  readonly boss: PgBoss;
  private started?: Promise<void>;

  constructor(private readonly opts: EngineOptions) {
    this.boss = new PgBoss({
      connectionString: opts.connectionString,
      schema: opts.schema ?? JOB_SCHEMA,
      max: 6,
      instanceName: opts.instanceName,
      useListenNotify: true,
      // Heartbeat failures and expiry are found by the monitor pass: every 5 s keeps takeover quick.
      superviseIntervalSeconds: 5,
      monitorIntervalSeconds: 5,
      cronMonitorIntervalSeconds: 30,
      cronWorkerIntervalSeconds: 5,
      // Queue backlogs (readyCount) feed the burst mode below: refreshed as often as the monitor.
      queueCacheIntervalSeconds: 5,
    });
    this.boss.on("error", (e: Error) => log.error({ err: e }, "job engine error"));
  }

  /** Installs/migrates the schema and declares every queue, subscription and schedule (idempotent). */
  start(): Promise<void> {
    this.started ??= (async () => {
      await this.boss.start();
      for (const name of jobNames) {
        const spec = queueSpec(name);
        const common = {
          notify: true,
          expireInSeconds: spec.expireInSeconds,
          retryLimit: spec.retryLimit,
          retryDelay: spec.retryDelay,
          retryBackoff: spec.retryDelay > 0,
          deleteAfterSeconds: 3 * 86_400,
        };
        const existing = await this.boss.getQueue(name);
        if (existing) await this.boss.updateQueue(name, common);
        else
          await this.boss
            .createQueue(name, {
              ...common,
              policy: spec.policy,
              ...(spec.retryDelay > 0 ? { retryDelayMax: 300 } : {}),
              heartbeatSeconds: spec.heartbeatSeconds,
            })
            .catch(async (e: Error) => {
              // Another replica created it a moment ago.
              if (!(await this.boss.getQueue(name))) throw e;
            });
      }
      for (const [event, queue] of subscriptions) await this.boss.subscribe(event, queue);
    })();
    // A failed start (Postgres not up yet) is tried again by the next caller, not remembered.
    this.started.catch(() => (this.started = undefined));
    return this.started;
  }

  /** Registers the periodic sweeps (done by workers; schedules are stored once, shared by all). */
  async schedulePeriodicWork(): Promise<void> {
    await this.start();
    for (const [name, cron] of schedules) await this.boss.schedule(name, cron, {}, { tz: "UTC", singletonKey: "all" });
  }

  async send<N extends JobName>(name: N, payload: JobPayloads[N], opts: SendOptions = {}): Promise<string | null> {
    await this.start();
    const key = queueSpec(name).key?.(payload as never);
    const id = await this.boss.send(name, payload as object, {
      ...(key ? { singletonKey: key } : {}),
      ...(opts.startAfterSeconds ? { startAfter: Math.max(1, Math.round(opts.startAfterSeconds)) } : {}),
      ...(opts.priority ? { priority: opts.priority } : {}),
    });
    // Collapsed into a job already waiting for this key (stately): that job takes the higher
    // priority, so an urgent trigger is not stuck behind the sweep that queued it first.
    if (id === null && key && opts.priority) await this.raisePriority(name, key, opts.priority);
    return id;
  }

  private async raisePriority(name: JobName, key: string, priority: number) {
    const schema = this.opts.schema ?? JOB_SCHEMA;
    await this.boss
      .getDb()
      .executeSql(`UPDATE "${schema}".job SET priority = $3 WHERE name = $1 AND singleton_key = $2 AND state IN ('created', 'retry') AND priority < $3`, [
        name,
        key,
        priority,
      ]);
  }

  async publish<E extends DomainEventName>(event: E, payload: DomainEvents[E]): Promise<void> {
    await this.start();
    await this.boss.publish(event, payload);
  }

  /** Runs the given handlers in this process. A handler that throws is retried with backoff. */
  async work(handlers: JobHandlers): Promise<void> {
    await this.start();
    for (const name of Object.keys(handlers) as JobName[]) {
      const handler = handlers[name] as (payload: unknown, ctx: JobContext) => Promise<unknown>;
      const spec = queueSpec(name);
      // Every line logged while the job runs carries its id, queue and the ids its payload names.
      const run = ([job]: Job<object>[]) =>
        withLogContext({ jobId: job!.id, queue: name, ...payloadIds(job!.data) }, async () => {
          const ctx: JobContext = { jobId: job!.id, attempt: job!.retryCount, signal: job!.signal };
          const started = performance.now();
          const attempt = job!.retryCount + 1;
          // Sweeps run every minute on every worker: their lines are debug.
          const quiet = name.startsWith("schedule.");
          (quiet ? log.debug : log.info).call(log, { attempt }, "job started");
          try {
            const result = await handler(job!.data, ctx);
            (quiet ? log.debug : log.info).call(log, { attempt, durationMs: Math.round(performance.now() - started) }, "job done");
            return result;
          } catch (e) {
            const final = attempt > spec.retryLimit;
            (final ? log.error : log.warn).call(
              log,
              { attempt, durationMs: Math.round(performance.now() - started), err: e },
              final ? "job failed (no retries left)" : "job failed (will retry)",
            );
            throw e;
          }
        });
      // NOTIFY wakes workers for new jobs; retries after a lost heartbeat are not notified, so the poll stays short.
      const poll = spec.pollSeconds ?? this.opts.pollingIntervalSeconds ?? 2;
      // A worker that just finished a job fetches the next one at once while the queue has a backlog
      // (burst); without it each slot waited a poll interval between jobs (2 jobs/s for a 1,000-env sweep).
      await this.boss.work(
        name,
        { localConcurrency: spec.concurrency, pollingIntervalSeconds: poll, notifyPollingIntervalSeconds: poll, batchSize: 1, burstWhenReadyExceeds: 1 },
        run,
      );
    }
  }

  async stop(opts: { graceful?: boolean } = {}): Promise<void> {
    if (!this.started) return;
    await this.boss.stop({ graceful: opts.graceful ?? true, timeout: 10_000 });
  }
}

// Only the ids of a payload go into the log context (payloads carry ids, and names like actorName; never credentials).
const ID_FIELDS = ["environmentId", "repositoryId", "clusterId", "promotionId", "policyId", "changeRequestId"] as const;
function payloadIds(data: object | null | undefined): LogBindings {
  const out: LogBindings = {};
  for (const k of ID_FIELDS) {
    const v = (data as Record<string, unknown> | null | undefined)?.[k];
    if (typeof v === "string") out[k] = v;
  }
  return out;
}

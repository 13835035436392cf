// What an admin sees of the job engine and may do to it: jobs by state and queue (newest first,
// cursor pages), per-queue figures, retry of a failed job and cancel of a queued or running one.
// Reads pg-boss's own tables with SQL (one indexed query per queue, no cached figures); changes go
// through pg-boss (retry/cancel) so its invariants hold.
import { z } from "zod";
import { AppError, conflict, notFound } from "../errors";
import type { PrismaClient } from "../generated/prisma/client";
import type { JobEngine } from "./engine";
import { MASK, maskText, SENSITIVE_KEY } from "../log/mask";

export interface JobsAdminDeps {
  prisma: PrismaClient;
  engine: JobEngine;
  /** pg-boss's Postgres schema (env TIDELINE_JOB_SCHEMA; the engine was built with it). */
  schema: string;
}

/** The states a person filters by, and pg-boss's states behind each. */
export const JOB_STATE_FILTERS = {
  queued: ["created", "retry"],
  running: ["active"],
  failed: ["failed"],
  completed: ["completed"],
  cancelled: ["cancelled"],
} as const;
export type JobStateFilter = keyof typeof JOB_STATE_FILTERS;
type BossState = (typeof JOB_STATE_FILTERS)[JobStateFilter][number];

const queueName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[\w.\-:/]+$/, "letters, digits and . _ - : / only");

export const listJobsQuery = z.object({
  state: z
    .enum(Object.keys(JOB_STATE_FILTERS) as [JobStateFilter, ...JobStateFilter[]])
    .optional()
    .describe("queued (created/retry), running, failed, completed, cancelled; all when omitted"),
  name: queueName.optional().describe("queue (job name), e.g. environment.work"),
  cursor: z.string().max(200).optional().describe("nextCursor of the previous page"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListJobsQuery = z.infer<typeof listJobsQuery>;

export const jobActionInput = z.object({ name: queueName.describe("the job's queue (job name)") });

export interface JobView {
  id: string;
  name: string;
  state: BossState;
  stateGroup: JobStateFilter;
  data: unknown;
  singletonKey: string | null;
  retryCount: number;
  retryLimit: number;
  createdOn: string;
  startAfter: string;
  startedOn: string | null;
  completedOn: string | null;
  heartbeatOn: string | null;
  /** Seconds a queued job has been ready to run and not started (0 while deferred); null otherwise. */
  waitingSeconds: number | null;
  /** What the handler returned (completed) or threw (failed: pg-boss stores the error here). */
  output: unknown;
  error: { name?: string; message: string; stack?: string } | null;
}

export interface QueueFigures {
  name: string;
  policy: string | null;
  queued: number;
  /** Queued jobs whose start time has not come yet (retry backoff, startAfter). */
  deferred: number;
  active: number;
  failedLast24h: number;
  /** Age of the longest-waiting runnable job (created/retry, start time passed); null when none. */
  oldestWaitingSeconds: number | null;
}

interface JobRow {
  id: string;
  name: string;
  state: BossState;
  data: unknown;
  singleton_key: string | null;
  retry_count: number;
  retry_limit: number;
  created_on: Date;
  start_after: Date;
  started_on: Date | null;
  completed_on: Date | null;
  heartbeat_on: Date | null;
  output: unknown;
  waiting_seconds: number | null;
  created_us: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SCHEMA = /^[a-z_][a-z0-9_]{0,50}$/;

function table(schema: string, name: "job" | "queue"): string {
  // The schema comes from validated configuration; checked again because it is spliced into SQL.
  if (!SCHEMA.test(schema)) throw new Error(`invalid job schema name ${JSON.stringify(schema)}`);
  return `"${schema}".${name}`;
}

const JOB_COLUMNS = `j.id::text AS id, j.name, j.state::text AS state, j.data, j.singleton_key, j.retry_count, j.retry_limit,
  j.created_on, j.start_after, j.started_on, j.completed_on, j.heartbeat_on, j.output,
  CASE WHEN j.state IN ('created', 'retry') THEN GREATEST(0, EXTRACT(EPOCH FROM now() - j.start_after))::float8 END AS waiting_seconds,
  ((EXTRACT(EPOCH FROM j.created_on) * 1000000)::bigint)::text AS created_us`;

/** Cursor = creation time in microseconds + id, so pages neither repeat nor skip jobs created in one millisecond. */
const encodeCursor = (row: JobRow) => Buffer.from(`${row.created_us}:${row.id}`).toString("base64url");
function decodeCursor(cursor: string): { us: string; id: string } {
  const [us, id] = Buffer.from(cursor, "base64url").toString("utf8").split(":");
  if (!us || !/^\d{1,20}$/.test(us) || !id || !UUID.test(id))
    throw new AppError("invalid", "Invalid query: cursor: not a cursor this API returned", {
      issues: [{ field: "cursor", message: "not a cursor this API returned" }],
    });
  return { us, id };
}

/**
 * States with few jobs however many finished ones are retained: the live ones (pg-boss keeps a
 * partial index on them) and cancelled (rare: one scan of the job table, then a small sort).
 */
const SPARSE: readonly string[] = ["created", "retry", "active", "failed", "cancelled"];

/**
 * Jobs newest first, filtered by state group and queue, cursor pages. Sparse states are picked
 * first and then sorted: walking the (name, created_on) index instead would read every retained
 * completed job to find a few (measured at 600k retained jobs: 0.7 s for an empty queued list, now 3-10 ms). All states
 * and completed walk (name, created_on) newest first per queue, where matches are dense.
 */
export async function listJobs(deps: JobsAdminDeps, q: ListJobsQuery): Promise<{ items: JobView[]; nextCursor: string | null }> {
  await deps.engine.start();
  const states: string[] = q.state ? [...JOB_STATE_FILTERS[q.state]] : Object.values(JOB_STATE_FILTERS).flat();
  const after = q.cursor ? decodeCursor(q.cursor) : null;
  // States as literals (from the fixed list above, never from input): only then can the planner use the partial index.
  const stateList = states.map((st) => `'${st.replace(/[^a-z]/g, "")}'`).join(", ");
  const where = `j.state IN (${stateList})
         AND ($2::bigint IS NULL OR (j.created_on, j.id) < ('epoch'::timestamptz + $2::bigint * interval '1 microsecond', $3::uuid))`;
  const sql = states.every((st) => SPARSE.includes(st))
    ? // One pass over the few matching jobs of every queue, then a small sort (OFFSET 0 keeps ORDER BY/LIMIT out of the scan).
      `SELECT * FROM (SELECT ${JOB_COLUMNS} FROM ${table(deps.schema, "job")} j WHERE ($1::text IS NULL OR j.name = $1) AND ${where} OFFSET 0) l
       ORDER BY l.created_on DESC, l.id::uuid DESC LIMIT $4`
    : // Newest first along (name, created_on), one walk per queue, merged.
      `SELECT p.* FROM (SELECT name FROM ${table(deps.schema, "queue")} WHERE $1::text IS NULL OR name = $1) q
       CROSS JOIN LATERAL (SELECT ${JOB_COLUMNS} FROM ${table(deps.schema, "job")} j WHERE j.name = q.name AND ${where} ORDER BY j.created_on DESC, j.id DESC LIMIT $4) p
       ORDER BY p.created_on DESC, p.id::uuid DESC LIMIT $4`;
  const rows = await deps.prisma.$queryRawUnsafe<JobRow[]>(sql, q.name ?? null, after?.us ?? null, after?.id ?? null, q.limit + 1);
  const page = rows.slice(0, q.limit);
  return { items: page.map(toView), nextCursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]!) : null };
}

/** Per queue: depth, running, recent failures and how long the oldest runnable job has waited. */
export async function queueFigures(deps: JobsAdminDeps): Promise<QueueFigures[]> {
  await deps.engine.start();
  const rows = await deps.prisma.$queryRawUnsafe<
    Array<{ name: string; policy: string | null; queued: number; deferred: number; active: number; failed: number; oldest: number | null }>
  >(
    `SELECT q.name, q.policy,
       COALESCE(s.queued, 0)::int AS queued, COALESCE(s.deferred, 0)::int AS deferred, COALESCE(s.active, 0)::int AS active,
       COALESCE(s.failed, 0)::int AS failed, s.oldest
     FROM ${table(deps.schema, "queue")} q
     LEFT JOIN (
       SELECT name,
         count(*) FILTER (WHERE state IN ('created', 'retry')) AS queued,
         count(*) FILTER (WHERE state IN ('created', 'retry') AND start_after > now()) AS deferred,
         count(*) FILTER (WHERE state = 'active') AS active,
         count(*) FILTER (WHERE state = 'failed') AS failed,
         EXTRACT(EPOCH FROM now() - min(start_after) FILTER (WHERE state IN ('created', 'retry') AND start_after <= now()))::float8 AS oldest
       FROM ${table(deps.schema, "job")}
       WHERE state IN ('created', 'retry', 'active') OR (state = 'failed' AND completed_on > now() - interval '24 hours')
       GROUP BY name
     ) s ON s.name = q.name
     ORDER BY q.name`,
  );
  return rows.map((r) => ({
    name: r.name,
    policy: r.policy,
    queued: r.queued,
    deferred: r.deferred,
    active: r.active,
    failedLast24h: r.failed,
    oldestWaitingSeconds: r.oldest === null ? null : Math.max(0, Math.floor(r.oldest)),
  }));
}

export async function findJob(deps: JobsAdminDeps, name: string, id: string): Promise<JobView | null> {
  if (!UUID.test(id)) return null;
  await deps.engine.start();
  const rows = await deps.prisma.$queryRawUnsafe<JobRow[]>(
    `SELECT ${JOB_COLUMNS} FROM ${table(deps.schema, "job")} j WHERE j.name = $1 AND j.id = $2::uuid`,
    name,
    id,
  );
  return rows[0] ? toView(rows[0]) : null;
}

/** Rows a pg-boss command changed (its d.ts declares CommandResponse empty; the object carries `affected`). */
const affected = (response: unknown): number => Number((response as { affected?: number }).affected ?? 0);

async function existing(deps: JobsAdminDeps, name: string, id: string): Promise<JobView> {
  const job = await findJob(deps, name, id);
  if (!job) throw notFound(`No job ${id} in queue ${name} (finished jobs are kept 3 days)`);
  return job;
}

/** Runs a failed job again (pg-boss gives it one more attempt). Returns the job as it was before. */
export async function retryJob(deps: JobsAdminDeps, name: string, id: string): Promise<JobView> {
  const job = await existing(deps, name, id);
  if (job.state !== "failed") throw conflict(`Only failed jobs can be retried; job ${id} is ${job.state}`);
  let changed: number;
  try {
    changed = affected(await deps.engine.boss.retry(name, id));
  } catch (e) {
    // Stately queues hold one waiting retry per key: another job for the same key is already queued.
    if ((e as { code?: string }).code === "23505")
      throw conflict(`Another ${name} job for ${job.singletonKey ?? "this key"} is already waiting; retry this one after it has run`);
    throw e;
  }
  if (changed === 0) throw conflict(`Job ${id} is no longer failed (retried or removed meanwhile)`);
  // pg-boss's retry sends no NOTIFY; a start time (a second back, so clock skew cannot defer it) through update() does, so idle workers start it now.
  await deps.engine.boss.update({ name, options: { id, startAfter: new Date(Date.now() - 1000) } }).catch(() => {});
  return job;
}

/** Cancels a queued or running job (a running handler is told through its abort signal at its next heartbeat). */
export async function cancelJob(deps: JobsAdminDeps, name: string, id: string): Promise<JobView> {
  const job = await existing(deps, name, id);
  if (!["created", "retry", "active"].includes(job.state)) throw conflict(`Only queued or running jobs can be cancelled; job ${id} is ${job.state}`);
  if (affected(await deps.engine.boss.cancel(name, id)) === 0) throw conflict(`Job ${id} finished before it could be cancelled`);
  return job;
}

function toView(r: JobRow): JobView {
  const output = masked(r.output);
  const stateGroup = (Object.keys(JOB_STATE_FILTERS) as JobStateFilter[]).find((k) => (JOB_STATE_FILTERS[k] as readonly string[]).includes(r.state))!;
  return {
    id: r.id,
    name: r.name,
    state: r.state,
    stateGroup,
    data: masked(r.data),
    singletonKey: r.singleton_key,
    retryCount: r.retry_count,
    retryLimit: r.retry_limit,
    createdOn: r.created_on.toISOString(),
    startAfter: r.start_after.toISOString(),
    startedOn: r.started_on?.toISOString() ?? null,
    completedOn: r.completed_on?.toISOString() ?? null,
    heartbeatOn: r.heartbeat_on?.toISOString() ?? null,
    waitingSeconds: r.waiting_seconds === null ? null : Math.floor(r.waiting_seconds),
    output: r.state === "failed" ? null : output,
    error: r.state === "failed" ? errorOf(output) : null,
  };
}

function errorOf(output: unknown): JobView["error"] {
  if (output && typeof output === "object" && !Array.isArray(output)) {
    const o = output as Record<string, unknown>;
    if (typeof o.message === "string")
      return {
        name: typeof o.name === "string" ? o.name : undefined,
        message: maskText(o.message),
        stack: typeof o.stack === "string" ? maskText(o.stack) : undefined,
      };
    // A job failed by the heartbeat monitor or expiry carries pg-boss's own reason.
    const v = o.value as Record<string, unknown> | string | undefined;
    if (v && typeof v === "object" && typeof v.message === "string") return { message: v.message };
    if (v !== undefined) return { message: typeof v === "string" ? v : JSON.stringify(v) };
  }
  return { message: output === null || output === undefined ? "failed (no error recorded)" : typeof output === "string" ? output : JSON.stringify(output) };
}

export { MASK };
const MAX_JSON = 8_000;

export function masked(value: unknown, depth = 0): unknown {
  if (depth > 20) return MASK;
  if (Array.isArray(value)) return value.map((v) => masked(v, depth + 1));
  if (value && typeof value === "object") {
    const out = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SENSITIVE_KEY.test(k) ? MASK : masked(v, depth + 1)]));
    if (depth === 0 && JSON.stringify(out).length > MAX_JSON) return { truncated: true, preview: JSON.stringify(out).slice(0, MAX_JSON) };
    return out;
  }
  return typeof value === "string" ? maskText(value) : value;
}

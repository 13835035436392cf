// The "environment.work" job: everything an environment needs next, one job per environment at a
// time across all workers. Runs left "running" by a worker that died are marked interrupted (with
// what they applied) and resumed; queued syncs run oldest first, each assessing the environment
// once; with nothing queued it is a reconcile (which auto-syncs when the policy says so).
import { hostname } from "node:os";
import type { Environment, Prisma, SyncRun } from "../generated/prisma/client";
import { AppError } from "../errors";
import type { JobContext, JobQueue } from "../jobs/types";
import { assessEnvironment, reconcileEnvironment, reportsAfterSync, showSyncProgress, storeReports, type ReconcileDeps } from "./reconcile-environment";
import { syncEnvironment, type SyncOutcome } from "./sync";
import { recordDrift, recordReconcile, recordSync } from "../metrics/record";

export type EnvironmentWorkDeps = ReconcileDeps & { jobs: JobQueue };

/** Which process ran a sync (shown on the run; lets an operator see how work spreads over replicas). */
export const workerName = () => process.env.TIDELINE_WORKER_NAME ?? `${hostname()}-${process.pid}`;

/** Transient failures (API server unreachable) are retried this many times by the engine, with backoff. */
const MAX_TRANSIENT_RETRIES = 5;

export async function runEnvironmentWork(deps: EnvironmentWorkDeps, environmentId: string, ctx: JobContext): Promise<{ syncs: number }> {
  const env = await deps.prisma.environment.findUnique({ where: { id: environmentId } });
  if (!env) return { syncs: 0 }; // deleted meanwhile
  // One query answers "anything left running or queued?" (a quiet reconcile, the common case, needs no more).
  const open = await deps.prisma.syncRun.findMany({ where: { environmentId, status: { in: ["running", "queued"] } }, orderBy: { queuedAt: "asc" } });
  if (open.some((r) => r.status === "running")) await resumeInterruptedRuns(deps, env, ctx);
  let syncs = 0;
  let next = open.find((r) => r.status === "queued") ?? (open.length ? await nextQueued(deps, environmentId) : null);
  while (next) {
    syncs += 1;
    await runQueuedSync(deps, next, ctx);
    next = await nextQueued(deps, environmentId);
  }
  if (syncs === 0) await timedReconcile(deps, env, ctx);
  return { syncs };
}

async function timedReconcile(deps: EnvironmentWorkDeps, env: Environment, ctx: JobContext) {
  const started = performance.now();
  try {
    const out = await reconcileEnvironment(deps, env.id, { signal: ctx.signal, env });
    recordReconcile(env.id, out.syncStatus, started);
    recordDrift(env.id, out.reports);
  } catch (e) {
    if (!ctx.signal.aborted) recordReconcile(env.id, "error", started);
    throw e;
  }
}

const nextQueued = (deps: EnvironmentWorkDeps, environmentId: string) =>
  deps.prisma.syncRun.findFirst({ where: { environmentId, status: "queued" }, orderBy: { queuedAt: "asc" } });

/**
 * This job is the only one running for the environment, so a run still "running" belongs to an
 * attempt that stopped (kill -9, lost heartbeat): it is marked interrupted, and a person's sync is
 * queued again at the same revision (auto-syncs are redone by the reconcile that follows anyway).
 */
async function resumeInterruptedRuns(deps: EnvironmentWorkDeps, env: Environment, ctx: JobContext) {
  const stale = await deps.prisma.syncRun.findMany({ where: { environmentId: env.id, status: "running" } });
  for (const run of stale) {
    const applied = (run.results as unknown as SyncOutcome[]).filter((r) => r.action === "applied" || r.action === "pruned").length;
    const resume = run.trigger === "manual" || run.trigger === "rollback";
    const next = resume
      ? await deps.prisma.syncRun.create({
          data: {
            environmentId: env.id,
            trigger: run.trigger,
            actorName: run.actorName,
            status: "queued",
            revision: run.revision,
            pinnedRevision: run.revision || null,
            only: run.only ?? undefined,
            promotionId: run.promotionId,
            resumedFromId: run.id,
            prune: run.prune,
          },
        })
      : null;
    await deps.prisma.syncRun.updateMany({
      where: { id: run.id, status: "running" },
      data: {
        status: "interrupted",
        finishedAt: new Date(),
        error: `Tideline stopped during this sync (worker ${run.workerName ?? "unknown"}); ${applied} object(s) were applied or pruned before it stopped. ${next ? `Resumed as run ${next.id} (job ${ctx.jobId}, attempt ${ctx.attempt + 1}).` : "The next reconcile syncs again."}`,
      },
    });
  }
}

async function runQueuedSync(deps: EnvironmentWorkDeps, run: SyncRun, ctx: JobContext) {
  const { prisma } = deps;
  const claimed = await prisma.syncRun.updateMany({
    where: { id: run.id, status: "queued" },
    data: { status: "running", startedAt: new Date(), jobId: ctx.jobId, workerName: workerName() },
  });
  if (claimed.count === 0) return;
  const started = performance.now();
  // Syncs refused before anything is applied (detect-only, render failed, Git moved) count as failed syncs too.
  const finish = async (status: string, error: string) => {
    recordSync(run.environmentId, run.trigger, status, started);
    await prisma.syncRun.updateMany({ where: { id: run.id, status: "running" }, data: { status, error, finishedAt: new Date() } });
    await deps.jobs.publish("syncRun.finished", { syncRunId: run.id, environmentId: run.environmentId, status });
  };
  const env = await prisma.environment.findUniqueOrThrow({ where: { id: run.environmentId } });
  if (env.detectOnly) return finish("failed", `Environment ${env.name} is in detect-only mode: Tideline reports drift but does not sync it`);

  let assessed;
  try {
    assessed = await assessEnvironment(deps, env, run.pinnedRevision ? { revision: run.pinnedRevision } : {});
  } catch (e) {
    if (e instanceof AppError && e.code === "unreachable" && ctx.attempt < MAX_TRANSIENT_RETRIES) {
      await requeue(deps, run, e.message);
      throw e;
    }
    return finish("failed", e instanceof AppError ? e.message : String(e));
  }
  const { desired, reports, cache } = assessed;
  if (run.expectedRevision && run.expectedRevision !== desired.revision) {
    return finish("failed", `Git moved since the preview (now at ${desired.revision.slice(0, 7)}); review the new preview before syncing`);
  }
  const only = (run.only as string[] | null) ?? undefined;
  let result;
  try {
    result = await syncEnvironment({
      prisma,
      cache,
      runId: run.id,
      environmentId: env.id,
      revision: desired.revision,
      desired: desired.objects,
      hooks: desired.hooks,
      reports,
      onProgress: showSyncProgress(prisma, env, desired.revision, reports),
      trigger: run.trigger as "manual" | "rollback",
      actorName: run.actorName,
      prune: run.prune,
      allowEmpty: env.allowEmpty,
      namespace: env.namespace,
      only: only?.length ? new Set(only) : undefined,
      signal: ctx.signal,
    });
  } catch (e) {
    if (ctx.signal.aborted) throw e; // left running: the next attempt resumes it
    await deps.jobs.publish("syncRun.finished", { syncRunId: run.id, environmentId: env.id, status: "failed" });
    return;
  }
  const after = reportsAfterSync(reports, result);
  await storeReports(prisma, env, desired.revision, after);
  recordDrift(env.id, after);
  await deps.jobs.publish("syncRun.finished", { syncRunId: run.id, environmentId: env.id, status: result.status });
  // The API server went away for some objects: recorded per object above, and retried with backoff.
  const transient = result.results.filter((r) => r.action === "failed" && r.retryable);
  if (transient.length > 0 && ctx.attempt < MAX_TRANSIENT_RETRIES) {
    await requeue(deps, run, `${transient.length} object(s) could not reach the API server`);
    throw new AppError("unreachable", `sync of ${env.name}: ${transient[0]!.message}; retrying`);
  }
}

/** Queues the same request again (the engine retries the job with backoff and runs it). */
async function requeue(deps: EnvironmentWorkDeps, run: SyncRun, why: string) {
  await deps.prisma.syncRun.updateMany({
    where: { id: run.id, status: "running" },
    data: { status: "failed", finishedAt: new Date(), error: `${why}; retried` },
  });
  await deps.prisma.syncRun.create({
    data: {
      environmentId: run.environmentId,
      trigger: run.trigger,
      actorName: run.actorName,
      status: "queued",
      revision: run.revision,
      pinnedRevision: run.pinnedRevision,
      expectedRevision: run.expectedRevision,
      only: (run.only as Prisma.InputJsonValue) ?? undefined,
      promotionId: run.promotionId,
      resumedFromId: run.id,
      prune: run.prune,
    },
  });
}

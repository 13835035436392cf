// Starts a verification when a sync of a new revision ends (the syncRun.finished domain event):
// one Verification row per sync run (unique), earlier running ones superseded, and the
// environment.verify job queued. A sync that ended Degraded fails verification at once.
import type { PrismaClient } from "../generated/prisma/client";
import type { JobQueue } from "../jobs/types";
import { addEvent } from "../promotions/events";
import { verifies } from "./policy";

export interface VerificationDeps {
  prisma: PrismaClient;
  jobs: JobQueue;
}

export async function startVerification(deps: VerificationDeps, syncRunId: string) {
  const run = await deps.prisma.syncRun.findUnique({ where: { id: syncRunId } });
  // Rollbacks restore a revision already verified; failed syncs are reported as such; dry runs change nothing.
  if (!run || run.dryRun || run.trigger === "rollback" || !["succeeded", "degraded"].includes(run.status)) return null;
  const env = await deps.prisma.environment.findUnique({ where: { id: run.environmentId } });
  if (!env || !verifies(env) || env.deletionRequestedAt) return null;
  // Self-heal at a revision that passed already: nothing new to verify.
  if (run.status === "succeeded" && run.revision === env.verifiedRevision) return null;
  const now = new Date();
  const v = await deps.prisma.$transaction(async (tx) => {
    const existing = await tx.verification.findUnique({ where: { syncRunId } });
    if (existing) return null;
    await tx.verification.updateMany({
      where: { environmentId: env.id, status: "running" },
      data: { status: "superseded", verdict: "superseded", reason: `a later sync (run ${run.id}) started a new verification`, finishedAt: now },
    });
    return tx.verification.create({
      data: {
        environmentId: env.id,
        syncRunId,
        promotionId: run.promotionId,
        revision: run.revision,
        startedAt: now,
        deadline: new Date(now.getTime() + env.verifyTimeoutMinutes * 60_000),
        healthyMinutes: env.verifyHealthyMinutes,
      },
    });
  });
  if (!v) return null;
  if (v.promotionId) {
    const what = [
      env.verifyHealthyMinutes > 0 ? `Healthy for ${minutes(env.verifyHealthyMinutes)}` : "Healthy",
      env.verifyJobs ? "check Jobs" : null,
      env.verifyHttpUrl ? "HTTP check" : null,
    ]
      .filter(Boolean)
      .join(", ");
    await addEvent(
      deps.prisma,
      v.promotionId,
      "tideline",
      "verification_started",
      `verifying ${env.name} at ${v.revision.slice(0, 7)}: ${what}, within ${minutes(env.verifyTimeoutMinutes)}`,
    );
  }
  await deps.jobs.send("environment.verify", { environmentId: env.id, reason: `sync run ${run.id} ${run.status}` });
  return v;
}

export function minutes(m: number): string {
  if (m < 1) return `${Math.round(m * 60)} s`;
  return Number.isInteger(m) ? `${m} min` : `${m.toFixed(1)} min`;
}

/** The minute sweep: a verification whose job was lost (never queued, retries used up) is queued again. */
export async function requeueVerifications(deps: VerificationDeps) {
  const open = await deps.prisma.verification.findMany({
    where: { OR: [{ status: "running" }, { status: "failed", OR: [{ rollbackStatus: null }, { rollbackStatus: "starting" }] }] },
    select: { environmentId: true },
    distinct: ["environmentId"],
  });
  for (const v of open) await deps.jobs.send("environment.verify", { environmentId: v.environmentId, reason: "sweep" });
  return open.length;
}

// Image policies on the job engine: the minute sweep queues every policy whose nextCheckAt has
// passed (one "image.check" per policy at a time, so replicas never check one twice), and each
// check schedules its own next time (interval, or back-off after errors and 429s).
import type { PrismaClient } from "../generated/prisma/client";
import type { JobQueue } from "../jobs/types";
import { checkPolicy } from "./automation";
import type { AutomationDeps } from "./automation-types";
import { boundedCode } from "../metrics/labels";
import { metrics, secondsSince } from "../metrics/registry";
import { logger } from "../log/logger";

const log = logger("images");

export async function enqueueDuePolicies(deps: { prisma: PrismaClient; jobs: JobQueue }, limit = 500): Promise<number> {
  const due = await deps.prisma.imagePolicy.findMany({
    where: { nextCheckAt: { lte: new Date() } },
    select: { id: true, nextCheckAt: true },
    orderBy: { nextCheckAt: "asc" },
    take: limit,
  });
  for (const p of due) await deps.jobs.send("image.check", { policyId: p.id, scheduledAt: p.nextCheckAt.toISOString() });
  return due.length;
}

/** One scheduled check; a failure is recorded on the policy and retried in a minute, not thrown. */
export async function runImageCheck(deps: AutomationDeps, policyId: string, scheduledAt?: string) {
  const exists = await deps.prisma.imagePolicy.findUnique({ where: { id: policyId }, select: { id: true } });
  if (!exists) return null;
  const started = performance.now();
  try {
    const outcome = await checkPolicy(deps, policyId, { trigger: "poll", scheduledAt: scheduledAt ? new Date(scheduledAt) : undefined });
    metrics().imagePolicyChecks.inc({ outcome: outcome.ok ? "ok" : boundedCode(outcome.error?.code) });
    metrics().imagePolicyCheckDuration.observe(secondsSince(started));
    return outcome;
  } catch (e) {
    metrics().imagePolicyChecks.inc({ outcome: "internal" });
    metrics().imagePolicyCheckDuration.observe(secondsSince(started));
    log.error({ err: e, policyId }, "image policy check failed");
    await deps.prisma.imagePolicy.updateMany({
      where: { id: policyId },
      data: { nextCheckAt: new Date(Date.now() + 60_000), lastError: `internal: ${(e as Error).message}`.slice(0, 2000) },
    });
    return null;
  }
}

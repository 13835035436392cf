// How a verification is shown: on the environment (latest), on each sync run and on a promotion.
// Progress is derived from the row: the healthy window's elapsed share, the checks, the deadline.
import type { PrismaClient, Verification } from "../generated/prisma/client";
import type { Check } from "./run";

export function verificationView(v: Verification, now = new Date()) {
  const windowMs = v.healthyMinutes * 60_000;
  const healthyForMs = v.healthySince && v.status === "running" ? Math.max(0, now.getTime() - v.healthySince.getTime()) : 0;
  return {
    id: v.id,
    syncRunId: v.syncRunId,
    promotionId: v.promotionId,
    revision: v.revision,
    status: v.status,
    verdict: v.verdict,
    reason: v.reason,
    startedAt: v.startedAt.toISOString(),
    deadline: v.deadline.toISOString(),
    finishedAt: v.finishedAt?.toISOString() ?? null,
    healthyMinutes: v.healthyMinutes,
    healthySince: v.healthySince?.toISOString() ?? null,
    // 0..1 of the healthy window while running (1 once passed).
    windowProgress: v.status === "passed" ? 1 : windowMs > 0 ? Math.min(1, healthyForMs / windowMs) : v.healthySince ? 1 : 0,
    checks: (v.checks as unknown as Check[]).map((c) => ({ kind: c.kind, name: c.name, status: c.status, message: c.message })),
    rollback: v.rollbackStatus
      ? { status: v.rollbackStatus, reason: v.rollbackReason, promotionId: v.rollbackPromotionId, startedAt: v.rollbackStartedAt?.toISOString() ?? null }
      : null,
  };
}
export type VerificationView = ReturnType<typeof verificationView>;

export async function latestVerification(prisma: PrismaClient, environmentId: string) {
  const v = await prisma.verification.findFirst({ where: { environmentId }, orderBy: { startedAt: "desc" } });
  return v ? verificationView(v) : null;
}

export async function verificationsOfRuns(prisma: PrismaClient, syncRunIds: string[]) {
  const rows = syncRunIds.length ? await prisma.verification.findMany({ where: { syncRunId: { in: syncRunIds } } }) : [];
  return new Map(rows.map((v) => [v.syncRunId, verificationView(v)]));
}

export async function verificationOfPromotion(prisma: PrismaClient, promotionId: string) {
  const v = await prisma.verification.findFirst({ where: { promotionId }, orderBy: { startedAt: "desc" } });
  return v ? verificationView(v) : null;
}

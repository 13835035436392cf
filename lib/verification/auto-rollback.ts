// Automatic rollback after a failed verification: the environment goes back to its last verified
// revision through the ordinary rollback (hold + revert change request), as the system user
// "tideline". Once per verification (a claim on the row), and never when the revision is no longer
// in Git, when nothing was verified before, or inside a freeze window (recorded and notified).
import { AppError } from "../errors";
import { freezeRefusal } from "../freeze/status";
import { emitEvent } from "../notifications/emit";
import type { PromotionDeps } from "../promotions/deps";
import { addEvent } from "../promotions/events";
import { requestRollback } from "../promotions/rollback";

/** How Tideline's own actions are attributed (as the image-automation and landing jobs do). */
export const TIDELINE_ACTOR = { id: "tideline", username: "tideline", displayName: "Tideline" };

export async function autoRollback(deps: PromotionDeps, verificationId: string) {
  const { prisma } = deps;
  const v = await prisma.verification.findUnique({ where: { id: verificationId }, include: { environment: { include: { application: true } } } });
  if (!v || v.status !== "failed") return null;
  const env = v.environment;
  if (!env.autoRollback) {
    await prisma.verification.updateMany({
      where: { id: v.id, rollbackStatus: null },
      data: { rollbackStatus: "off", rollbackReason: "automatic rollback is off for this environment" },
    });
    return null;
  }
  const now = new Date();
  const claimed = await prisma.verification.updateMany({
    where: { id: v.id, rollbackStatus: null },
    data: { rollbackStatus: "starting", rollbackStartedAt: now },
  });
  if (claimed.count === 0) {
    if (v.rollbackStatus !== "starting") return null; // done, skipped or failed already
    // A worker stopped between the claim and the record: the rollback may have been requested already.
    const made = await prisma.promotion.findFirst({
      where: {
        kind: "rollback",
        targetEnvironmentId: env.id,
        authorName: TIDELINE_ACTOR.username,
        createdAt: { gte: v.rollbackStartedAt ?? v.finishedAt ?? v.startedAt },
      },
      orderBy: { createdAt: "desc" },
    });
    if (made) return done(deps, v.id, made.id);
  }
  const skip = async (reason: string) => {
    await prisma.verification.update({ where: { id: v.id }, data: { rollbackStatus: "skipped", rollbackReason: reason } });
    if (v.promotionId) await addEvent(prisma, v.promotionId, "tideline", "rollback_skipped", reason);
    await audit(prisma, {
      action: "environment.auto_rollback_skipped",
      targetType: "environment",
      targetId: env.id,
      details: { verificationId: v.id, revision: v.revision, reason },
    });
    await emitEvent(prisma, {
      type: "verification.failed",
      environmentId: env.id,
      applicationId: env.applicationId,
      link: `/environments/${env.id}`,
      dedupeKey: `rollback.skipped:${v.id}`,
      title: `Automatic rollback of ${env.application.name}/${env.name} not done`,
      body: `${reason}. Verification failed: ${v.reason}`,
      data: { verificationId: v.id, revision: v.revision },
    });
    return null;
  };
  const target = env.verifiedRevision;
  if (!target) return skip("no earlier revision of this environment was verified");
  if (target === v.revision) return skip(`${v.revision.slice(0, 7)} is the last verified revision itself`);
  const frozen = await freezeRefusal(prisma, env.id, "sync");
  if (frozen) return skip(`inside a freeze window: ${frozen}`);
  const run = await prisma.syncRun.findFirst({
    where: { environmentId: env.id, revision: target, status: "succeeded", dryRun: false },
    orderBy: { startedAt: "desc" },
  });
  if (!run) return skip(`no successful sync of the verified revision ${target.slice(0, 7)} is recorded`);
  let promotion;
  try {
    // Turning auto-rollback on is the environment's standing decision: a protected target is rolled back at once (recorded as an override by tideline).
    promotion = await requestRollback(deps, TIDELINE_ACTOR, env.id, {
      syncRunId: run.id,
      emergency: env.requiredApprovals > 0,
      reason: `automatic rollback: verification of ${v.revision.slice(0, 7)} failed`,
    });
  } catch (e) {
    // Unavailable (no longer in Git, force-pushed away) or another promotion under way: not rolled back, and said so.
    if (e instanceof AppError && (e.code === "conflict" || e.code === "invalid")) return skip(e.message);
    await prisma.verification.update({ where: { id: v.id }, data: { rollbackStatus: "failed", rollbackReason: (e as Error).message } });
    throw e;
  }
  await addEvent(prisma, promotion.id, TIDELINE_ACTOR.username, "automatic_rollback", `verification of ${v.revision.slice(0, 7)} failed: ${v.reason}`);
  if (v.promotionId)
    await addEvent(
      prisma,
      v.promotionId,
      TIDELINE_ACTOR.username,
      "rolled_back",
      `${env.name} rolled back to ${target.slice(0, 7)} (rollback ${promotion.id})`,
    );
  await audit(prisma, {
    action: "environment.auto_rollback",
    targetType: "environment",
    targetId: env.id,
    details: { verificationId: v.id, from: v.revision, to: target, reason: v.reason, rollbackId: promotion.id },
  });
  return done(deps, v.id, promotion.id);
}

async function done(deps: PromotionDeps, verificationId: string, promotionId: string) {
  await deps.prisma.verification.update({ where: { id: verificationId }, data: { rollbackStatus: "started", rollbackPromotionId: promotionId } });
  return promotionId;
}

/** Audited as "tideline" (no user row: the system acts on the environment's own setting). */
const audit = (prisma: PromotionDeps["prisma"], e: { action: string; targetType: string; targetId: string; details: Record<string, string | null> }) =>
  prisma.auditEvent.create({ data: { actorId: null, actorName: TIDELINE_ACTOR.username, ...e } });

// Approvals for promotions into protected environments: distinct approvers, never the author,
// no second vote, nothing after a rejection; the last approval merges (an admin may override).
import { Prisma } from "../generated/prisma/client";
import { AppError } from "../errors";
import { mergeChange, otherApplicationsMissing } from "../changes/merge-change";
import { closeChange } from "../changes/review-change";
import { addEvent } from "./events";
import type { PromotionActor, PromotionDeps } from "./deps";
import { landPromotion } from "./land";
import { sourceReadiness } from "./policy";
import { executeRollback } from "./rollback";

export interface DecisionInput {
  decision: "approved" | "rejected";
  comment: string;
}

async function loadAwaiting(deps: PromotionDeps, id: string) {
  const p = await deps.prisma.promotion.findUnique({ where: { id }, include: { approvals: true, targetEnvironment: true, sourceEnvironment: true } });
  if (!p) throw new AppError("not_found", `Promotion ${id} does not exist`);
  if (p.status === "rejected") throw new AppError("conflict", "This promotion was rejected; start a new one");
  if (p.status !== "awaiting_approval") throw new AppError("conflict", `This promotion is ${p.status.replace("_", " ")}; it is not waiting for approval`);
  return p;
}

export async function decidePromotion(deps: PromotionDeps, actor: PromotionActor, id: string, input: DecisionInput) {
  const p = await loadAwaiting(deps, id);
  if (p.authorId === actor.id || p.authorName === actor.username)
    throw new AppError("forbidden", "You started this promotion; someone else must approve or reject it");
  if (p.approvals.some((a) => a.userId === actor.id)) throw new AppError("conflict", "You already gave your decision on this promotion");
  if (input.decision === "rejected" && !input.comment.trim()) throw new AppError("invalid", "comment: say why the promotion is rejected", { field: "comment" });
  try {
    await deps.prisma.approval.create({
      data: { promotionId: p.id, userId: actor.id, userName: actor.username, decision: input.decision, comment: input.comment },
    });
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002")
      throw new AppError("conflict", "You already gave your decision on this promotion");
    throw e;
  }
  await addEvent(deps.prisma, p.id, actor.username, input.decision, input.comment || undefined);
  if (p.changeRequestId) {
    // Bound to the head the promotion proposed (its change request never follows a moved branch).
    const head = await deps.prisma.changeRequest.findUnique({ where: { id: p.changeRequestId }, select: { headSha: true } });
    await deps.prisma.changeRequestReview.create({
      data: {
        changeRequestId: p.changeRequestId,
        userId: actor.id,
        userName: actor.username,
        state: input.decision === "approved" ? "approved" : "changes_requested",
        body: input.comment,
        commitSha: head?.headSha ?? null,
      },
    });
  }
  if (input.decision === "rejected") {
    if (p.changeRequestId) await closeChange(deps, actor, p.changeRequestId, { viaPromotion: true }).catch(() => {});
    return deps.prisma.promotion.update({ where: { id: p.id }, data: { status: "rejected", finishedAt: new Date() } });
  }
  // Counted after writing: two last approvals given at once both see the rule met (one merges, see mergeApproved).
  const approvals = await deps.prisma.approval.count({ where: { promotionId: p.id, decision: "approved" } });
  if (approvals < p.requiredApprovals) return deps.prisma.promotion.findUniqueOrThrow({ where: { id: p.id } });
  return queueLanding(deps, actor, p.id);
}

/** Emergency override: an admin lands the promotion without the approvals; recorded and audited. */
export async function overridePromotion(deps: PromotionDeps, actor: PromotionActor, id: string, reason: string) {
  const p = await loadAwaiting(deps, id);
  if (!reason.trim()) throw new AppError("invalid", "reason: an emergency override needs a reason", { field: "reason" });
  await deps.prisma.approval.upsert({
    where: { promotionId_userId: { promotionId: p.id, userId: actor.id } },
    create: { promotionId: p.id, userId: actor.id, userName: actor.username, decision: "approved", comment: reason, override: true },
    update: { decision: "approved", comment: reason, override: true },
  });
  await addEvent(deps.prisma, p.id, actor.username, "emergency_override", reason);
  return queueLanding(deps, actor, p.id);
}

/**
 * The rule is met: the promotion is approved and its landing (merge, push, sync) is queued as a
 * "promotion.land" job, one per promotion across all workers, so the request answers at once and
 * a worker that dies mid-push leaves the job to another. Concurrent last approvals queue it once.
 */
async function queueLanding(deps: PromotionDeps, actor: PromotionActor, id: string) {
  await deps.prisma.promotion.updateMany({ where: { id, status: { in: ["awaiting_approval", "approved"] } }, data: { status: "approved", error: null } });
  await deps.jobs.send("promotion.land", { promotionId: id, actorId: actor.id, actorName: actor.username });
  return deps.prisma.promotion.findUniqueOrThrow({ where: { id } });
}

/** The "promotion.land" job: merge the approved change request (or find it merged already) and land it. */
export async function landApprovedPromotion(deps: PromotionDeps, actor: PromotionActor, id: string) {
  const p = await deps.prisma.promotion.findUniqueOrThrow({
    where: { id },
    include: { targetEnvironment: true, sourceEnvironment: true, changeRequest: true },
  });
  // An earlier attempt recorded the landing and died before the target's sync was asked for: ask now
  // (otherwise it stays "syncing" with no sync to follow). One with its sync run is landed already.
  if (p.kind === "promotion" && ["merged", "syncing"].includes(p.status) && p.commitSha && p.targetEnvironment.syncAfterPromotion) {
    if (!(await deps.prisma.syncRun.count({ where: { promotionId: p.id } }))) return landPromotion(deps, p.id, p.commitSha, actor.username);
  }
  if (p.status !== "approved") return p; // landed by an earlier attempt, or cancelled meanwhile
  if (p.kind === "rollback") return executeRollback(deps, actor, p.id);
  // An earlier attempt pushed the merge and stopped before recording the landing: land that commit.
  if (p.changeRequest?.status === "merged" && p.changeRequest.mergedSha) return landPromotion(deps, p.id, p.changeRequest.mergedSha, actor.username);
  // The soak time may have been unmet when the promotion started; it must hold when it lands.
  if (p.sourceEnvironment) {
    const { blockers } = sourceReadiness(p.sourceEnvironment, p.targetEnvironment);
    const soak = blockers.filter((b) => b.includes("healthy for"));
    if (soak.length) {
      await addEvent(deps.prisma, p.id, "tideline", "waiting", soak.join("; "));
      return deps.prisma.promotion.update({ where: { id }, data: { error: soak.join("; ") } });
    }
  }
  // Other applications' protected environments this change renders differently need their approvers
  // (an emergency override skips that too); until then it waits, and the sweep tries again.
  if (!(await deps.prisma.approval.count({ where: { promotionId: id, override: true } }))) {
    const missing = await otherApplicationsMissing(deps, p.changeRequestId!, p.applicationId);
    if (missing.length) {
      const error = `Also needs: ${missing.join("; ")}`;
      if (p.error !== error) await addEvent(deps.prisma, p.id, "tideline", "waiting", error);
      return deps.prisma.promotion.update({ where: { id }, data: { error } });
    }
  }
  try {
    const merged = await mergeChange(deps, actor, p.changeRequestId!, { method: "merge" }, { skipReviewCheck: true, viaPromotion: true, skipAfterMerge: true });
    await addEvent(deps.prisma, p.id, actor.username, "merged", `change request merged as ${merged.mergedSha!.slice(0, 7)}`);
    return await landPromotion(deps, p.id, merged.mergedSha!, actor.username);
  } catch (e) {
    // A real conflict keeps the change request open and the approvals: nothing is lost.
    const message = e instanceof AppError ? e.message : (e as Error).message;
    await deps.prisma.promotion.update({ where: { id }, data: { error: message } });
    await addEvent(deps.prisma, p.id, "tideline", "merge_failed", message);
    throw e;
  }
}

/** Retry landing an approved promotion (after a conflict was resolved or the soak time passed). */
export async function retryApprovedPromotion(deps: PromotionDeps, actor: PromotionActor, id: string) {
  const p = await deps.prisma.promotion.findUnique({ where: { id } });
  if (!p) throw new AppError("not_found", `Promotion ${id} does not exist`);
  if (p.status !== "approved") throw new AppError("conflict", `This promotion is ${p.status}; only an approved promotion waiting to merge can be retried`);
  return queueLanding(deps, actor, id);
}

/** The minute sweep: approved promotions waiting (soak time, a failed merge) are queued again, at most every 30 s. */
export async function requeueWaitingPromotions(deps: PromotionDeps) {
  const waiting = await deps.prisma.promotion.findMany({
    where: { status: "approved", error: { not: null }, updatedAt: { lt: new Date(Date.now() - 30_000) } },
    include: { sourceEnvironment: true, targetEnvironment: true },
  });
  for (const p of waiting) {
    if (p.sourceEnvironment && sourceReadiness(p.sourceEnvironment, p.targetEnvironment).blockers.length) continue;
    await deps.jobs.send("promotion.land", { promotionId: p.id, actorId: "tideline", actorName: "tideline" });
  }
  return waiting.length;
}

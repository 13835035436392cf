// What happens when a change request merges outside a promotion's own approval path (on
// GitHub/GitLab, or a revert merged in Tideline): the waiting promotion lands and syncs, and
// a rollback's revert releases the environment's sync hold. Runs as the changeRequest.merged job.
import type { JobQueue } from "../jobs/types";
import { addEvent } from "./events";
import type { PromotionDeps } from "./deps";
import { landPromotion } from "./land";

export async function onChangeRequestMerged(deps: PromotionDeps & { jobs: JobQueue }, changeRequestId: string): Promise<void> {
  const { prisma } = deps;
  const cr = await prisma.changeRequest.findUnique({ where: { id: changeRequestId } });
  if (!cr) return;
  // Rollback: Git is the truth again, so the hold is released and auto-sync resumes.
  const held = await prisma.environment.findMany({ where: { syncHoldChangeRequestId: cr.id }, select: { id: true } });
  if (held.length) {
    await prisma.environment.updateMany({
      where: { syncHoldChangeRequestId: cr.id },
      data: { syncHold: false, syncHoldReason: null, syncHoldRevision: null, syncHoldChangeRequestId: null },
    });
    for (const e of held) await deps.jobs.send("environment.work", { environmentId: e.id, reason: "sync hold released" });
  }
  const promotion = await prisma.promotion.findUnique({ where: { changeRequestId: cr.id } });
  if (promotion && ["awaiting_approval", "approved"].includes(promotion.status) && cr.mergedSha) {
    await addEvent(prisma, promotion.id, cr.mergedByName ?? "provider", "merged", `change request merged as ${cr.mergedSha.slice(0, 7)}`);
    await landPromotion(deps, promotion.id, cr.mergedSha, cr.mergedByName ?? "tideline");
  }
}

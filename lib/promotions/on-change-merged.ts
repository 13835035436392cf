// What happens when a change request merges outside a promotion's own approval path (on
// GitHub/GitLab, or a revert merged in Tideline): the waiting promotion lands and syncs, and
// a rollback's revert releases the environment's sync hold.
import type { ChangeRequest } from "../generated/prisma/client";
import { db } from "../db";
import { changeDeps, reconcileDeps } from "../services";
import { addEvent } from "./events";
import { landPromotion } from "./land";

export async function onChangeRequestMerged(cr: ChangeRequest): Promise<void> {
  const prisma = db();
  // Rollback: Git is the truth again, so the hold is released and auto-sync resumes.
  const held = await prisma.environment.findMany({ where: { syncHoldChangeRequestId: cr.id }, select: { id: true } });
  if (held.length) {
    await prisma.environment.updateMany({
      where: { syncHoldChangeRequestId: cr.id },
      data: { syncHold: false, syncHoldReason: null, syncHoldRevision: null, syncHoldChangeRequestId: null },
    });
    const { reconciler } = await import("../reconcile/process-reconciler");
    for (const e of held) reconciler().schedule(e.id, 0);
  }
  const promotion = await prisma.promotion.findUnique({ where: { changeRequestId: cr.id } });
  if (promotion && ["awaiting_approval", "approved"].includes(promotion.status) && cr.mergedSha) {
    await addEvent(prisma, promotion.id, cr.mergedByName ?? "provider", "merged", `change request merged as ${cr.mergedSha.slice(0, 7)}`);
    await landPromotion({ ...changeDeps(), ...reconcileDeps() }, promotion.id, cr.mergedSha, cr.mergedByName ?? "tideline");
  }
}

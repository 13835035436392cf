// The promotion's timeline: each step (created, approved, merged, synced...) with who and when.
import type { PrismaClient } from "../generated/prisma/client";
import { notePromotionStep, notifiesOn } from "../notifications/domain-events";

export async function addEvent(prisma: PrismaClient, promotionId: string, actorName: string, action: string, detail?: string) {
  if (!notifiesOn(action)) {
    await prisma.promotionEvent.create({ data: { promotionId, actorName, action, detail: detail ?? null } });
    return;
  }
  // Steps people are told about: the notification is written in the same transaction as the step.
  await prisma.$transaction(async (tx) => {
    await tx.promotionEvent.create({ data: { promotionId, actorName, action, detail: detail ?? null } });
    await notePromotionStep(tx, promotionId, action, detail);
  });
}

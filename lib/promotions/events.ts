// The promotion's timeline: each step (created, approved, merged, synced...) with who and when.
import type { PrismaClient } from "../generated/prisma/client";

export async function addEvent(prisma: PrismaClient, promotionId: string, actorName: string, action: string, detail?: string) {
  await prisma.promotionEvent.create({ data: { promotionId, actorName, action, detail: detail ?? null } });
}

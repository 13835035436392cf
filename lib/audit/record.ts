// Appends to the audit log; every mutating route calls this with what changed.
import type { PrismaClient } from "../generated/prisma/client";
import type { Prisma } from "../generated/prisma/client";

export async function recordAudit(
  prisma: PrismaClient,
  event: { actor: { id: string; username: string } | null; action: string; targetType: string; targetId?: string | null; details?: Prisma.InputJsonValue },
) {
  await prisma.auditEvent.create({
    data: {
      actorId: event.actor?.id ?? null,
      actorName: event.actor?.username ?? "system",
      action: event.action,
      targetType: event.targetType,
      targetId: event.targetId ?? null,
      details: event.details,
    },
  });
}

// The deliveries list: each event -> channel send with its status, attempts and last error (masked when recorded).
import { z } from "zod";
import type { PrismaClient } from "../generated/prisma/client";

export const deliveriesQuery = z.object({
  status: z.enum(["pending", "sending", "retrying", "delivered", "failed"]).optional(),
  channelId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export async function listDeliveries(prisma: PrismaClient, q: z.output<typeof deliveriesQuery>) {
  const rows = await prisma.notificationDelivery.findMany({
    where: { ...(q.status ? { status: q.status } : {}), ...(q.channelId ? { channelId: q.channelId } : {}) },
    include: { event: { select: { type: true, title: true, createdAt: true } } },
    orderBy: { createdAt: "desc" },
    take: q.limit,
  });
  return {
    deliveries: rows.map((d) => ({
      id: d.id,
      eventType: d.event.type,
      title: d.event.title,
      channel: d.channelName,
      channelType: d.channelType,
      status: d.status,
      attempts: d.attempts,
      lastError: d.lastError,
      responseStatus: d.responseStatus,
      createdAt: d.createdAt,
      deliveredAt: d.deliveredAt,
    })),
  };
}

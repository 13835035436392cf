// A user's in-app notifications (the bell): newest first, with the unread count.
import { z } from "zod";
import type { PrismaClient } from "../generated/prisma/client";

export const inboxQuery = z.object({ unread: z.enum(["true", "false"]).optional(), limit: z.coerce.number().int().min(1).max(100).default(30) });
export const markReadInput = z.object({ ids: z.array(z.string().min(1)).max(500).optional(), all: z.boolean().optional() });

export async function listInbox(prisma: PrismaClient, userId: string, q: z.output<typeof inboxQuery>) {
  const [rows, unread] = await Promise.all([
    prisma.notification.findMany({
      where: { userId, ...(q.unread === "true" ? { readAt: null } : {}) },
      include: { event: true },
      orderBy: { createdAt: "desc" },
      take: q.limit,
    }),
    prisma.notification.count({ where: { userId, readAt: null } }),
  ]);
  return {
    unread,
    notifications: rows.map((n) => ({
      id: n.id,
      type: n.event.type,
      title: n.event.title,
      body: n.event.body,
      link: n.event.link,
      createdAt: n.createdAt,
      read: Boolean(n.readAt),
    })),
  };
}

export async function markRead(prisma: PrismaClient, userId: string, input: z.output<typeof markReadInput>) {
  const where = input.all ? { userId, readAt: null } : { userId, id: { in: input.ids ?? [] }, readAt: null };
  const { count } = await prisma.notification.updateMany({ where, data: { readAt: new Date() } });
  return { marked: count, unread: await prisma.notification.count({ where: { userId, readAt: null } }) };
}

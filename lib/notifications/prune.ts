// Keeps the notification history bounded: events older than the retention (with their deliveries
// and in-app entries, by cascade) are deleted by the minute sweep, a batch at a time.
import type { PrismaClient } from "../generated/prisma/client";

export const NOTIFICATION_RETENTION_DAYS = 30;

export async function pruneNotifications(prisma: PrismaClient, now = new Date(), days = NOTIFICATION_RETENTION_DAYS): Promise<number> {
  const before = new Date(now.getTime() - days * 86_400_000);
  return prisma.$executeRaw`DELETE FROM "NotificationEvent" WHERE id IN (SELECT id FROM "NotificationEvent" WHERE "createdAt" < ${before} ORDER BY "createdAt" LIMIT 5000)`;
}

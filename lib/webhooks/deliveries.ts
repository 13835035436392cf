// The record of every webhook call (accepted, rejected, ignored) with a payload summary,
// and replay protection: a delivery id seen before is refused.
import type { Prisma, PrismaClient } from "../generated/prisma/client";
import { Prisma as P } from "../generated/prisma/client";
import { metrics } from "../metrics/registry";

export type DeliverySource = "github" | "gitlab" | "gitea" | "generic" | "ci" | "registry";
export type DeliveryOutcome = "accepted" | "rejected" | "ignored";

export interface DeliveryRecord {
  source: DeliverySource;
  deliveryId?: string | null;
  event?: string | null;
  outcome: DeliveryOutcome;
  reason?: string | null;
  summary?: Prisma.InputJsonValue;
  repositoryId?: string | null;
}

/** Stores the delivery; returns false when this (source, deliveryId) was already received (a replay). */
export async function recordDelivery(prisma: PrismaClient, d: DeliveryRecord): Promise<boolean> {
  // Counted once stored: a replay (unique violation below) is counted by recordReplay, as rejected.
  try {
    await prisma.webhookDelivery.create({
      data: {
        source: d.source,
        deliveryId: d.deliveryId ?? null,
        event: d.event ?? null,
        outcome: d.outcome,
        reason: d.reason ?? null,
        summary: d.summary ?? {},
        repositoryId: d.repositoryId ?? null,
      },
    });
    metrics().webhookDeliveries.inc({ source: d.source, outcome: d.outcome });
    return true;
  } catch (e) {
    if (e instanceof P.PrismaClientKnownRequestError && e.code === "P2002") return false;
    throw e;
  }
}

/** A replayed delivery is still listed (without an id, so it does not collide) as rejected. */
export async function recordReplay(prisma: PrismaClient, d: Omit<DeliveryRecord, "outcome" | "reason">) {
  metrics().webhookDeliveries.inc({ source: d.source, outcome: "rejected" });
  await prisma.webhookDelivery.create({
    data: {
      source: d.source,
      deliveryId: null,
      event: d.event ?? null,
      outcome: "rejected",
      reason: `replayed delivery ${d.deliveryId}: already received`,
      summary: d.summary ?? {},
      repositoryId: d.repositoryId ?? null,
    },
  });
}

export async function listDeliveries(prisma: PrismaClient, query: { source?: string; outcome?: string; repositoryId?: string; limit?: number }) {
  return prisma.webhookDelivery.findMany({
    where: {
      ...(query.source ? { source: query.source } : {}),
      ...(query.outcome ? { outcome: query.outcome } : {}),
      ...(query.repositoryId ? { repositoryId: query.repositoryId } : {}),
    },
    orderBy: { receivedAt: "desc" },
    take: Math.min(query.limit ?? 100, 500),
  });
}

/** Deliveries are kept for `days` (default 30): anyone can send one, so the table must not grow forever. */
export async function pruneDeliveries(prisma: PrismaClient, days = 30): Promise<number> {
  const { count } = await prisma.webhookDelivery.deleteMany({ where: { receivedAt: { lt: new Date(Date.now() - days * 86_400_000) } } });
  return count;
}

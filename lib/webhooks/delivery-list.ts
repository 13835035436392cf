// The Webhooks page's read model: recent deliveries (filtered by source, outcome, repository)
// with the repository's name next to its id.
import { z } from "zod";
import type { PrismaClient } from "../generated/prisma/client";
import { listDeliveries } from "./deliveries";

export const DELIVERY_SOURCES = ["github", "gitlab", "gitea", "generic", "ci", "registry"] as const;
export const DELIVERY_OUTCOMES = ["accepted", "rejected", "ignored"] as const;

const blankToUndefined = (v: unknown) => (v === "" ? undefined : v);
export const deliveriesQuery = z.object({
  source: z.preprocess(blankToUndefined, z.enum(DELIVERY_SOURCES).optional()),
  outcome: z.preprocess(blankToUndefined, z.enum(DELIVERY_OUTCOMES).optional()),
  repositoryId: z.preprocess(blankToUndefined, z.string().max(100).optional()),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type DeliveriesQuery = z.infer<typeof deliveriesQuery>;

export async function deliveriesPage(prisma: PrismaClient, query: DeliveriesQuery) {
  const rows = await listDeliveries(prisma, query);
  const ids = [...new Set(rows.map((r) => r.repositoryId).filter((id): id is string => id !== null))];
  const repos = ids.length ? await prisma.repository.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }) : [];
  const names = new Map(repos.map((r) => [r.id, r.name]));
  return {
    items: rows.map((r) => ({
      id: r.id,
      receivedAt: r.receivedAt.toISOString(),
      source: r.source,
      deliveryId: r.deliveryId,
      event: r.event,
      outcome: r.outcome,
      reason: r.reason,
      summary: r.summary,
      repository: r.repositoryId ? { id: r.repositoryId, name: names.get(r.repositoryId) ?? null } : null,
    })),
  };
}

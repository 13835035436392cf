// The loop view: each image update from detection to commit (or change request) to synced, with
// where to look (repository commit, change request) and how long each step took.
import { z } from "zod";
import type { PrismaClient } from "../generated/prisma/client";

export const listUpdatesQuery = z.object({
  policyId: z.string().max(50).optional(),
  environmentId: z.string().max(50).optional(),
  status: z.enum(["pending", "committed", "change_request", "synced", "failed", "skipped"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListUpdatesQuery = z.infer<typeof listUpdatesQuery>;

const ms = (from: Date | null | undefined, to: Date | null | undefined) => (from && to ? Math.max(0, to.getTime() - from.getTime()) : null);

export async function listImageUpdates(prisma: PrismaClient, q: ListUpdatesQuery) {
  const rows = await prisma.imageUpdate.findMany({
    where: {
      ...(q.policyId ? { policyId: q.policyId } : {}),
      ...(q.environmentId ? { environmentId: q.environmentId } : {}),
      ...(q.status ? { status: q.status } : {}),
    },
    orderBy: { detectedAt: "desc" },
    take: q.limit,
    include: { policy: { select: { name: true, image: true } } },
  });
  const envs = new Map(
    (
      await prisma.environment.findMany({
        where: { id: { in: [...new Set(rows.map((r) => r.environmentId))] } },
        select: { id: true, name: true, branch: true, repositoryId: true, application: { select: { name: true } } },
      })
    ).map((e) => [e.id, e]),
  );
  const crIds = rows.map((r) => r.changeRequestId).filter((id): id is string => Boolean(id));
  const crs = new Map(
    (
      await prisma.changeRequest.findMany({
        where: { id: { in: crIds } },
        select: { id: true, number: true, status: true, title: true, mergedSha: true, mergedAt: true },
      })
    ).map((c) => [c.id, c]),
  );
  return rows.map((r) => {
    const env = envs.get(r.environmentId);
    const cr = r.changeRequestId ? crs.get(r.changeRequestId) : undefined;
    // While a write is in flight committedAt holds the claim time: it is not a commit yet.
    const committedAt = r.status === "pending" ? null : r.committedAt;
    return {
      id: r.id,
      policyId: r.policyId,
      policy: r.policy.name,
      image: r.policy.image,
      environmentId: r.environmentId,
      environment: env?.name ?? null,
      application: env?.application.name ?? null,
      branch: env?.branch ?? null,
      repositoryId: env?.repositoryId ?? null,
      tag: r.tag,
      digest: r.digest,
      previousTag: r.previousTag,
      trigger: r.trigger,
      status: r.status,
      error: r.error,
      commitSha: r.commitSha,
      changeRequest: cr
        ? { id: cr.id, number: cr.number, status: cr.status, title: cr.title, mergedSha: cr.mergedSha, mergedAt: cr.mergedAt?.toISOString() ?? null }
        : null,
      detectedAt: r.detectedAt.toISOString(),
      committedAt: committedAt?.toISOString() ?? null,
      syncedAt: r.syncedAt?.toISOString() ?? null,
      durations: { toCommitMs: ms(r.detectedAt, committedAt), commitToSyncMs: ms(committedAt, r.syncedAt), totalMs: ms(r.detectedAt, r.syncedAt) },
    };
  });
}
export type ImageUpdateView = Awaited<ReturnType<typeof listImageUpdates>>[number];

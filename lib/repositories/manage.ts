// Listing, reading and deleting tracked repositories; credentials never leave the server.
import fs from "node:fs/promises";
import type { PrismaClient, Repository } from "../generated/prisma/client";
import { notFound } from "../errors";
import { mirrorPath } from "../git/mirror";

export function publicRepository(r: Repository, counts?: { commits: number; branches: number }) {
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    username: r.username,
    hasToken: r.encryptedToken !== null,
    // Whether Git push webhooks are enabled; the secret itself never leaves the server.
    webhookConfigured: r.encryptedWebhookSecret !== null,
    status: r.status,
    lastError: r.lastError,
    defaultBranch: r.defaultBranch,
    lastFetchedAt: r.lastFetchedAt?.toISOString() ?? null,
    lastFetchDurationMs: r.lastFetchDurationMs,
    progress: r.progressPhase ? { phase: r.progressPhase, loaded: r.progressLoaded, total: r.progressTotal } : null,
    createdAt: r.createdAt.toISOString(),
    ...(counts ?? {}),
  };
}
export type PublicRepository = ReturnType<typeof publicRepository>;

export async function listRepositories(prisma: PrismaClient) {
  const repos = await prisma.repository.findMany({ orderBy: { name: "asc" }, include: { _count: { select: { commits: true, branches: true } } } });
  return repos.map((r) => publicRepository(r, { commits: r._count.commits, branches: r._count.branches }));
}

export async function getRepository(prisma: PrismaClient, id: string) {
  const r = await prisma.repository.findUnique({ where: { id }, include: { _count: { select: { commits: true, branches: true } } } });
  if (!r) throw notFound(`Repository ${id} does not exist`);
  return publicRepository(r, { commits: r._count.commits, branches: r._count.branches });
}

export async function deleteRepository(prisma: PrismaClient, mirrorsDir: string, id: string) {
  const r = await prisma.repository.findUnique({ where: { id } });
  if (!r) throw notFound(`Repository ${id} does not exist`);
  await prisma.repository.delete({ where: { id } });
  await fs.rm(mirrorPath(mirrorsDir, id), { recursive: true, force: true });
  return publicRepository(r);
}

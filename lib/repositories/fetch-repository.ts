// Fetches one repository into its mirror and indexes the result. A lease row in Postgres
// makes sure only one fetch per repository runs at a time, across every Tideline process.
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client";
import { fetchMirror, mirrorPath, type FetchProgress } from "../git/mirror";
import { indexRepository, type IndexResult } from "../git/indexer";
import { AppError } from "../errors";

const LEASE_MS = 15 * 60 * 1000;
const PROGRESS_EVERY_MS = 500;

export interface FetchDeps {
  prisma: PrismaClient;
  mirrorsDir: string;
  unseal: (sealed: string) => string;
}

export type FetchOutcome = { status: "fetched"; index: IndexResult; durationMs: number } | { status: "skipped"; reason: string };

async function acquireLease(prisma: PrismaClient, repositoryId: string, owner: string): Promise<boolean> {
  const taken = await prisma.$executeRaw`
    UPDATE "Repository" SET "fetchLeaseOwner" = ${owner}, "fetchLeaseUntil" = now() + (${LEASE_MS} * interval '1 millisecond')
    WHERE id = ${repositoryId} AND ("fetchLeaseUntil" IS NULL OR "fetchLeaseUntil" < now())`;
  return taken === 1;
}

export async function fetchRepository(deps: FetchDeps, repositoryId: string): Promise<FetchOutcome> {
  const { prisma } = deps;
  const repo = await prisma.repository.findUnique({ where: { id: repositoryId } });
  if (!repo) throw new AppError("not_found", `Repository ${repositoryId} does not exist`);
  const owner = randomUUID();
  if (!(await acquireLease(prisma, repositoryId, owner))) return { status: "skipped", reason: "A fetch of this repository is already running" };

  const started = Date.now();
  const firstTime = repo.lastFetchedAt === null;
  let lastWrite = 0;
  // Progress writes also renew the lease, so a long first import never loses it midway.
  const report = (phase: string, loaded: number, total?: number) => {
    const now = Date.now();
    if (now - lastWrite < PROGRESS_EVERY_MS) return;
    lastWrite = now;
    void prisma.$executeRaw`
      UPDATE "Repository" SET "progressPhase" = ${phase}, "progressLoaded" = ${loaded}, "progressTotal" = ${total ?? null},
        "fetchLeaseUntil" = now() + (${LEASE_MS} * interval '1 millisecond')
      WHERE id = ${repositoryId} AND "fetchLeaseOwner" = ${owner}`.catch(() => {});
  };

  try {
    await prisma.repository.update({
      where: { id: repositoryId },
      data: { status: firstTime ? "cloning" : "fetching", progressPhase: "Connecting", progressLoaded: 0, progressTotal: null },
    });
    const credentials = { username: repo.username, token: repo.encryptedToken ? deps.unseal(repo.encryptedToken) : null };
    const gitdir = mirrorPath(deps.mirrorsDir, repo.id);
    const fetched = await fetchMirror({
      gitdir,
      url: repo.url,
      credentials,
      onProgress: (p: FetchProgress) => report(p.phase, p.loaded, p.total),
    });
    const index = await indexRepository({ prisma, repositoryId, gitdir, branches: fetched.branches, onProgress: report });
    const durationMs = Date.now() - started;
    const defaultBranch =
      fetched.defaultBranch ?? repo.defaultBranch ?? (fetched.branches.find((b) => b.name === "main") ?? fetched.branches[0])?.name ?? null;
    await prisma.repository.update({
      where: { id: repositoryId },
      data: {
        status: "ready",
        lastError: null,
        lastFetchedAt: new Date(),
        lastFetchDurationMs: durationMs,
        defaultBranch,
        progressPhase: null,
        progressLoaded: null,
        progressTotal: null,
      },
    });
    return { status: "fetched", index, durationMs };
  } catch (error) {
    const message = error instanceof AppError ? error.message : `Fetch failed: ${(error as Error).message}`;
    // History already indexed stays; the repository is only marked as failing.
    await prisma.repository.update({ where: { id: repositoryId }, data: { status: "error", lastError: message, progressPhase: null } });
    throw error instanceof AppError ? error : new AppError("internal", message);
  } finally {
    await prisma.$executeRaw`UPDATE "Repository" SET "fetchLeaseOwner" = NULL, "fetchLeaseUntil" = NULL WHERE id = ${repositoryId} AND "fetchLeaseOwner" = ${owner}`;
  }
}

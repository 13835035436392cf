// Fetches one repository into its mirror and indexes the result. Callers make sure only one fetch
// per repository runs at a time: the job engine's "repository.fetch" queue (one per repository).
import type { PrismaClient } from "../generated/prisma/client";
import { fetchMirror, mirrorPath, type FetchProgress } from "../git/mirror";
import { indexRepository, type IndexResult } from "../git/indexer";
import { AppError } from "../errors";
import { boundedCode } from "../metrics/labels";
import { metrics, secondsSince } from "../metrics/registry";

const PROGRESS_EVERY_MS = 500;

export interface FetchDeps {
  prisma: PrismaClient;
  mirrorsDir: string;
  unseal: (sealed: string) => string;
}

export type FetchOutcome = { status: "fetched"; index: IndexResult; durationMs: number };

export async function fetchRepository(deps: FetchDeps, repositoryId: string): Promise<FetchOutcome> {
  const { prisma } = deps;
  const repo = await prisma.repository.findUnique({ where: { id: repositoryId } });
  if (!repo) throw new AppError("not_found", `Repository ${repositoryId} does not exist`);
  const started = Date.now();
  const timer = performance.now();
  const firstTime = repo.lastFetchedAt === null;
  let lastWrite = 0;
  const report = (phase: string, loaded: number, total?: number) => {
    const now = Date.now();
    if (now - lastWrite < PROGRESS_EVERY_MS) return;
    lastWrite = now;
    void prisma.$executeRaw`
      UPDATE "Repository" SET "progressPhase" = ${phase}, "progressLoaded" = ${loaded}, "progressTotal" = ${total ?? null}
      WHERE id = ${repositoryId}`.catch(() => {});
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
    const defaultBranch = fetched.defaultBranch ?? repo.defaultBranch ?? (fetched.branches.find((b) => b.name === "main") ?? fetched.branches[0])?.name ?? null;
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
    metrics().gitFetchDuration.observe({ outcome: "fetched" }, secondsSince(timer));
    return { status: "fetched", index, durationMs };
  } catch (error) {
    metrics().gitFetchDuration.observe({ outcome: "failed" }, secondsSince(timer));
    metrics().gitFetchFailures.inc({ reason: boundedCode(error instanceof AppError ? error.code : "internal") });
    const message = error instanceof AppError ? error.message : `Fetch failed: ${(error as Error).message}`;
    // History already indexed stays; the repository is only marked as failing.
    await prisma.repository.update({ where: { id: repositoryId }, data: { status: "error", lastError: message, progressPhase: null } });
    throw error instanceof AppError ? error : new AppError("internal", message);
  }
}

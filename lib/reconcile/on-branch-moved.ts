// Domain glue: a branch moved (fetch, webhook, Tideline's own push), so every environment that
// follows it reconciles now, and the periodic resync spreads the rest over its interval.
// Environments whose sources the move touched go first (like Argo CD's manifest-generate-paths):
// one commit to one folder of a 1,000-environment repository must not wait behind 999 re-checks.
import path from "node:path";
import type { PrismaClient } from "../generated/prisma/client";
import type { DomainEvents, JobQueue } from "../jobs/types";
import { mirrorPath } from "../git/mirror";
import { runGitRaw } from "../git/write-commit";

export interface BranchMovedDeps {
  prisma: PrismaClient;
  jobs: JobQueue;
  mirrorsDir?: string;
  ensureRevision?: (repositoryId: string, revision: string) => Promise<void>;
}

export const TOUCHED_PRIORITY = 10;

export async function onBranchMoved(deps: BranchMovedDeps, event: DomainEvents["branch.moved"]) {
  const envs = await deps.prisma.environment.findMany({
    where: { repositoryId: event.repositoryId, branch: { in: event.branches } },
    select: { id: true, path: true, renderer: true, branch: true, desiredRevision: true },
  });
  const heads = new Map(
    (
      await deps.prisma.branch.findMany({ where: { repositoryId: event.repositoryId, name: { in: event.branches } }, select: { name: true, headSha: true } })
    ).map((b) => [b.name, b.headSha]),
  );
  const folders = envs.map((e) => folderOf(e.path));
  const changes = new Map<string, Promise<string[] | null>>();
  const changed = (from: string | null, to: string | undefined) => {
    if (!from || !to || !deps.mirrorsDir) return Promise.resolve(null);
    const key = `${from}..${to}`;
    if (!changes.has(key)) changes.set(key, changedFiles(deps, event.repositoryId, from, to));
    return changes.get(key)!;
  };
  // Touched environments first, then the rest (they still move to the new revision).
  const ordered = await Promise.all(envs.map(async (e) => ({ id: e.id, touched: touches(await changed(e.desiredRevision, heads.get(e.branch)), e, folders) })));
  ordered.sort((a, b) => Number(b.touched) - Number(a.touched));
  for (const e of ordered)
    await deps.jobs.send(
      "environment.work",
      { environmentId: e.id, reason: e.touched ? "branch moved: its files changed" : "branch moved" },
      e.touched ? { priority: TOUCHED_PRIORITY } : {},
    );
  return envs.length;
}

const folderOf = (p: string) => path.posix.normalize(p.replace(/^\/+|\/+$/g, "") || ".");
const under = (file: string, folder: string) => folder === "." || file === folder || file.startsWith(`${folder}/`);

/**
 * Unknown changes count as touching. A plain folder renders only its own files; kustomize and helm
 * may read shared bases and charts, so a change outside every environment's folder touches them too.
 */
function touches(files: string[] | null, env: { path: string; renderer: string }, folders: string[]) {
  if (!files) return true;
  const folder = folderOf(env.path);
  if (files.some((f) => under(f, folder))) return true;
  if (env.renderer === "plain") return false;
  return files.some((f) => !folders.some((other) => under(f, other)));
}

async function changedFiles(deps: BranchMovedDeps, repositoryId: string, from: string, to: string): Promise<string[] | null> {
  try {
    await deps.ensureRevision?.(repositoryId, to);
    const out = await runGitRaw(mirrorPath(deps.mirrorsDir!, repositoryId), ["diff", "--name-only", "--no-renames", "-z", from, to]);
    if (out.code !== 0) return null;
    return out.stdout.toString().split("\0").filter(Boolean);
  } catch {
    return null;
  }
}

/**
 * The periodic resync, spread over its interval: the sweep runs every minute and queues the
 * environments checked longest ago, about (fleet size x 60 / interval) of them, so a
 * 1,000-environment fleet never arrives at once. Never-reconciled ones go first, all of them.
 */
export async function enqueueDueReconciles(deps: { prisma: PrismaClient; jobs: JobQueue }, intervalSeconds: number) {
  if (intervalSeconds <= 0) return 0;
  const fleet = await deps.prisma.environment.count();
  const perSweep = Math.max(1, Math.ceil((fleet * 60) / intervalSeconds));
  const fresh = await deps.prisma.environment.findMany({ where: { lastReconciledAt: null }, select: { id: true } });
  const stale = await deps.prisma.environment.findMany({
    where: { lastReconciledAt: { lt: new Date(Date.now() - intervalSeconds * 1000 + 30_000) } },
    select: { id: true },
    orderBy: { lastReconciledAt: "asc" },
    take: perSweep,
  });
  for (const e of [...fresh, ...stale]) await deps.jobs.send("environment.work", { environmentId: e.id, reason: "resync interval" });
  return fresh.length + stale.length;
}

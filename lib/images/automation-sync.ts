// Closes the loop: an ImageUpdate becomes "synced" once a successful SyncRun of its environment
// deployed a revision containing the update's commit (the same commit, or a descendant of it).
import type { PrismaClient } from "../generated/prisma/client";
import { mirrorPath } from "../git/mirror";
import { isAncestor } from "../git/write-commit";

export interface SyncTrackerDeps {
  prisma: PrismaClient;
  mirrorsDir: string;
}

const LOOKBACK_MS = 30 * 24 * 3600 * 1000;
// "commit|revision" pairs already known not to contain each other (git is not asked twice).
const notContained = new Set<string>();

async function contains(gitdir: string, commit: string, revision: string): Promise<boolean> {
  if (commit === revision) return true;
  const key = `${commit}|${revision}`;
  if (notContained.has(key)) return false;
  const yes = await isAncestor(gitdir, commit, revision);
  if (!yes) {
    if (notContained.size > 10_000) notContained.clear();
    notContained.add(key);
  }
  return yes;
}

/** Marks committed (and merged change-request) updates synced; returns how many it marked. */
export async function trackSyncedUpdates(deps: SyncTrackerDeps, opts: { policyId?: string } = {}): Promise<number> {
  const { prisma } = deps;
  const rows = await prisma.imageUpdate.findMany({
    where: {
      status: { in: ["committed", "change_request"] },
      commitSha: { not: null },
      detectedAt: { gte: new Date(Date.now() - LOOKBACK_MS) },
      ...(opts.policyId ? { policyId: opts.policyId } : {}),
    },
    orderBy: { detectedAt: "asc" },
    take: 500,
  });
  if (rows.length === 0) return 0;
  const crIds = rows.map((r) => r.changeRequestId).filter((id): id is string => Boolean(id));
  const merged = new Set((await prisma.changeRequest.findMany({ where: { id: { in: crIds }, status: "merged" }, select: { id: true } })).map((c) => c.id));
  const candidates = rows.filter((r) => r.status === "committed" || (r.changeRequestId && merged.has(r.changeRequestId)));
  const envs = new Map(
    (
      await prisma.environment.findMany({
        where: { id: { in: [...new Set(candidates.map((r) => r.environmentId))] } },
        select: { id: true, repositoryId: true, syncedRevision: true },
      })
    ).map((e) => [e.id, e]),
  );
  let marked = 0;
  for (const row of candidates) {
    const env = envs.get(row.environmentId);
    if (!env?.syncedRevision || !row.commitSha) continue;
    const gitdir = mirrorPath(deps.mirrorsDir, env.repositoryId);
    if (!(await contains(gitdir, row.commitSha, env.syncedRevision))) continue;
    // The first successful sync that deployed the commit (or something built on it); runs that
    // finished before the update was detected cannot contain it.
    const runs = await prisma.syncRun.findMany({
      where: { environmentId: env.id, status: "succeeded", finishedAt: { gte: row.detectedAt } },
      orderBy: { finishedAt: "asc" },
      take: 50,
      select: { revision: true, finishedAt: true },
    });
    let syncedAt: Date | null = null;
    for (const run of runs) {
      if (await contains(gitdir, row.commitSha, run.revision)) {
        syncedAt = run.finishedAt;
        break;
      }
    }
    if (!syncedAt) continue; // deployed only by a sync that did not succeed (degraded): not yet
    const done = await prisma.imageUpdate.updateMany({ where: { id: row.id, status: row.status }, data: { status: "synced", syncedAt } });
    marked += done.count;
  }
  return marked;
}

// Writes what a fetch brought into Postgres: new commits with their changed paths
// (parents first, in batches, each batch one transaction), then each branch's membership.
import fs from "node:fs";
import git from "isomorphic-git";
import type { PrismaClient } from "../generated/prisma/client";
import { readNewCommits, withChangedFiles, type IndexedCommit } from "./read-commits";
import type { RemoteBranch } from "./mirror";

const BATCH = 500;
const ROWS_PER_INSERT = 5_000;

export const commitRowId = (repositoryId: string, sha: string) => `${repositoryId}:${sha}`;

export interface IndexResult {
  newCommits: number;
  branchesUpdated: number;
  branchesRemoved: number;
}

export async function indexRepository(opts: {
  prisma: PrismaClient;
  repositoryId: string;
  gitdir: string;
  branches: RemoteBranch[];
  onProgress?: (phase: string, loaded: number, total: number) => void;
}): Promise<IndexResult> {
  const { prisma, repositoryId, gitdir, branches } = opts;
  const knownRows = await prisma.commit.findMany({ where: { repositoryId }, select: { sha: true } });
  const known = new Set(knownRows.map((r) => r.sha));
  const fresh = await readNewCommits(gitdir, branches.map((b) => b.sha), known);

  const treeCache = {};
  const treeOf = async (sha: string) => (await git.readCommit({ fs, gitdir, oid: sha, cache: treeCache })).commit.tree;
  for (let start = 0; start < fresh.length; start += BATCH) {
    const batch = await withChangedFiles(gitdir, fresh.slice(start, start + BATCH), treeOf);
    await insertCommitBatch(prisma, repositoryId, batch);
    opts.onProgress?.("Indexing commits", Math.min(start + BATCH, fresh.length), fresh.length);
  }

  const { updated, removed } = await syncBranches(prisma, repositoryId, branches);
  return { newCommits: fresh.length, branchesUpdated: updated, branchesRemoved: removed };
}

async function insertCommitBatch(prisma: PrismaClient, repositoryId: string, batch: IndexedCommit[]): Promise<void> {
  const commits = batch.map((c) => ({
    id: commitRowId(repositoryId, c.sha),
    repositoryId,
    sha: c.sha,
    parents: c.parents,
    authorName: c.authorName,
    authorEmail: c.authorEmail,
    authoredAt: c.authoredAt,
    committerName: c.committerName,
    committerEmail: c.committerEmail,
    committedAt: c.committedAt,
    message: c.message,
    filesChanged: c.files.length,
  }));
  const files = batch.flatMap((c) => c.files.map((f) => ({ commitId: commitRowId(repositoryId, c.sha), path: f.path, change: f.change })));
  await prisma.$transaction(async (tx) => {
    await tx.commit.createMany({ data: commits, skipDuplicates: true });
    for (let i = 0; i < files.length; i += ROWS_PER_INSERT) {
      await tx.commitFile.createMany({ data: files.slice(i, i + ROWS_PER_INSERT), skipDuplicates: true });
    }
  }, { timeout: 120_000 });
}

/**
 * Recomputes which commits each branch reaches from the indexed parent graph. This handles
 * fast-forwards and force-pushes alike: history shows exactly what the branch now holds.
 */
async function syncBranches(prisma: PrismaClient, repositoryId: string, branches: RemoteBranch[]) {
  const graph = await prisma.commit.findMany({ where: { repositoryId }, select: { id: true, sha: true, parents: true, committedAt: true } });
  const bySha = new Map(graph.map((c) => [c.sha, c]));
  const existing = await prisma.branch.findMany({ where: { repositoryId } });
  let updated = 0;

  for (const branch of branches) {
    const current = existing.find((b) => b.name === branch.name);
    if (current && current.headSha === branch.sha) continue;
    const reachable = new Set<string>();
    const stack = [branch.sha];
    while (stack.length > 0) {
      const sha = stack.pop()!;
      if (reachable.has(sha)) continue;
      const node = bySha.get(sha);
      if (!node) continue;
      reachable.add(sha);
      stack.push(...node.parents);
    }
    await prisma.$transaction(async (tx) => {
      const row = await tx.branch.upsert({
        where: { repositoryId_name: { repositoryId, name: branch.name } },
        create: { repositoryId, name: branch.name, headSha: branch.sha },
        update: { headSha: branch.sha },
      });
      const members = await tx.branchCommit.findMany({ where: { branchId: row.id }, select: { sha: true } });
      const had = new Set(members.map((m) => m.sha));
      const gone = members.filter((m) => !reachable.has(m.sha)).map((m) => m.sha);
      if (gone.length > 0) await tx.branchCommit.deleteMany({ where: { branchId: row.id, sha: { in: gone } } });
      const added = [...reachable].filter((sha) => !had.has(sha)).map((sha) => {
        const c = bySha.get(sha)!;
        return { branchId: row.id, commitId: c.id, sha, committedAt: c.committedAt };
      });
      for (let i = 0; i < added.length; i += ROWS_PER_INSERT) {
        await tx.branchCommit.createMany({ data: added.slice(i, i + ROWS_PER_INSERT), skipDuplicates: true });
      }
    }, { timeout: 120_000 });
    updated += 1;
  }

  const names = new Set(branches.map((b) => b.name));
  const stale = existing.filter((b) => !names.has(b.name)).map((b) => b.id);
  if (stale.length > 0) await prisma.branch.deleteMany({ where: { id: { in: stale } } });
  return { updated, removed: stale.length };
}

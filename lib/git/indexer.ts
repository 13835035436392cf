// Writes what a fetch brought into Postgres: new commits with their changed paths
// (parents first, in batches, each batch one transaction), then each branch's membership.
import fs from "node:fs";
import path from "node:path";
import git from "isomorphic-git";
import { Prisma, type PrismaClient } from "../generated/prisma/client";
import { readNewCommits, withChangedFiles, type IndexedCommit } from "./read-commits";
import { TreeReader } from "./tree-diff";
import { gitCliAvailable, logNewCommits, objectExists, repackIfFragmented, revList } from "./git-cli";
import type { RemoteBranch } from "./mirror";

const BATCH = 1_000;
const ROWS_PER_INSERT = 5_000;

export const commitRowId = (repositoryId: string, sha: string) => `${repositoryId}:${sha}`;

export interface IndexResult {
  newCommits: number;
  branchesUpdated: number;
  branchesRemoved: number;
  /** Names of the branches whose head moved (new ones included). */
  moved?: string[];
}

type Progress = (phase: string, loaded: number, total: number) => void;

export async function indexRepository(opts: {
  prisma: PrismaClient;
  repositoryId: string;
  gitdir: string;
  branches: RemoteBranch[];
  onProgress?: Progress;
  /** Which reader walks the history; defaults to the git CLI when installed. */
  reader?: "git-cli" | "isomorphic-git";
}): Promise<IndexResult> {
  const { prisma, repositoryId, gitdir, branches } = opts;
  const existing = await prisma.branch.findMany({ where: { repositoryId } });
  const moved = branches.filter((b) => existing.find((e) => e.name === b.name)?.headSha !== b.sha);
  const removed = existing.filter((e) => !branches.some((b) => b.name === e.name));
  if (moved.length === 0 && removed.length === 0) return { newCommits: 0, branchesUpdated: 0, branchesRemoved: 0 };

  const useCli = (opts.reader ?? (gitCliAvailable() ? "git-cli" : "isomorphic-git")) === "git-cli";
  if (useCli) await repackIfFragmented(gitdir, countPacks(gitdir)).catch(() => false);
  const newCommits = useCli
    ? await indexWithGitCli(
        prisma,
        repositoryId,
        gitdir,
        moved,
        existing.map((e) => e.headSha),
        opts.onProgress,
      )
    : await indexWithIsomorphicGit(prisma, repositoryId, gitdir, moved, opts.onProgress);

  for (const branch of moved) {
    const before = existing.find((e) => e.name === branch.name);
    const delta = useCli && before && (await objectExists(gitdir, before.headSha)) ? await membershipDelta(gitdir, before.headSha, branch.sha) : null;
    await updateBranch(prisma, repositoryId, branch, delta);
  }
  if (removed.length > 0) await prisma.branch.deleteMany({ where: { id: { in: removed.map((b) => b.id) } } });
  return { newCommits, branchesUpdated: moved.length, branchesRemoved: removed.length, moved: moved.map((b) => b.name) };
}

function countPacks(gitdir: string): number {
  try {
    return fs.readdirSync(path.join(gitdir, "objects", "pack")).filter((f) => f.endsWith(".pack")).length;
  } catch {
    return 0;
  }
}

async function indexWithGitCli(
  prisma: PrismaClient,
  repositoryId: string,
  gitdir: string,
  moved: RemoteBranch[],
  knownHeads: string[],
  onProgress?: Progress,
): Promise<number> {
  const present = [];
  for (const sha of new Set(knownHeads)) if (await objectExists(gitdir, sha)) present.push(sha);
  const commits = await logNewCommits(
    gitdir,
    moved.map((b) => b.sha),
    present,
  );
  for (let start = 0; start < commits.length; start += BATCH) {
    await insertCommitBatch(prisma, repositoryId, commits.slice(start, start + BATCH));
    onProgress?.("Indexing commits", Math.min(start + BATCH, commits.length), commits.length);
  }
  return commits.length;
}

async function indexWithIsomorphicGit(
  prisma: PrismaClient,
  repositoryId: string,
  gitdir: string,
  moved: RemoteBranch[],
  onProgress?: Progress,
): Promise<number> {
  const knownRows = await prisma.commit.findMany({ where: { repositoryId }, select: { sha: true } });
  const reader = new TreeReader(gitdir);
  const fresh = await readNewCommits(
    gitdir,
    moved.map((b) => b.sha),
    new Set(knownRows.map((r) => r.sha)),
    reader.cache,
  );
  const trees = new Map(fresh.map((c) => [c.sha, c.tree]));
  const treeOf = async (sha: string) => trees.get(sha) ?? (await git.readCommit({ fs, gitdir, oid: sha, cache: reader.cache })).commit.tree;
  for (let start = 0; start < fresh.length; start += BATCH) {
    const batch = await withChangedFiles(reader, fresh.slice(start, start + BATCH), treeOf);
    await insertCommitBatch(prisma, repositoryId, batch);
    onProgress?.("Indexing commits", Math.min(start + BATCH, fresh.length), fresh.length);
  }
  return fresh.length;
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
  await prisma.$transaction(
    async (tx) => {
      await tx.commit.createMany({ data: commits, skipDuplicates: true });
      for (let i = 0; i < files.length; i += ROWS_PER_INSERT) {
        await tx.commitFile.createMany({ data: files.slice(i, i + ROWS_PER_INSERT), skipDuplicates: true });
      }
    },
    { timeout: 120_000 },
  );
}

async function membershipDelta(gitdir: string, oldHead: string, newHead: string) {
  const [added, removed] = await Promise.all([revList(gitdir, newHead, oldHead), revList(gitdir, oldHead, newHead)]);
  return { added, removed };
}

/**
 * Updates which commits a branch reaches: from an exact delta (git rev-list both ways) when
 * the old head is known, else recomputed from the indexed parent graph. Either way a
 * force-pushed branch ends up holding exactly what it now holds.
 */
async function updateBranch(prisma: PrismaClient, repositoryId: string, branch: RemoteBranch, delta: { added: string[]; removed: string[] } | null) {
  await prisma.$transaction(
    async (tx) => {
      const row = await tx.branch.upsert({
        where: { repositoryId_name: { repositoryId, name: branch.name } },
        create: { repositoryId, name: branch.name, headSha: branch.sha },
        update: { headSha: branch.sha },
      });
      let added: string[];
      if (delta) {
        if (delta.removed.length) await tx.branchCommit.deleteMany({ where: { branchId: row.id, sha: { in: delta.removed } } });
        added = delta.added;
      } else {
        const reachable = await reachableFromGraph(tx as unknown as PrismaClient, repositoryId, branch.sha);
        const members = await tx.branchCommit.findMany({ where: { branchId: row.id }, select: { sha: true } });
        const gone = members.filter((m) => !reachable.has(m.sha)).map((m) => m.sha);
        if (gone.length) await tx.branchCommit.deleteMany({ where: { branchId: row.id, sha: { in: gone } } });
        const had = new Set(members.map((m) => m.sha));
        added = [...reachable].filter((sha) => !had.has(sha));
      }
      for (let i = 0; i < added.length; i += ROWS_PER_INSERT) {
        const chunk = added.slice(i, i + ROWS_PER_INSERT);
        await tx.$executeRaw`
          INSERT INTO "BranchCommit" ("branchId", "commitId", "committedAt", sha)
          SELECT ${row.id}, c.id, c."committedAt", c.sha FROM "Commit" c
          WHERE c."repositoryId" = ${repositoryId} AND c.sha = ANY(${chunk})
          ON CONFLICT DO NOTHING`;
      }
    },
    { timeout: 120_000 },
  );
}

async function reachableFromGraph(prisma: PrismaClient, repositoryId: string, head: string): Promise<Set<string>> {
  const graph = await prisma.$queryRaw<Array<{ sha: string; parents: string[] }>>(
    Prisma.sql`SELECT sha, parents FROM "Commit" WHERE "repositoryId" = ${repositoryId}`,
  );
  const parentsOf = new Map(graph.map((c) => [c.sha, c.parents]));
  const reachable = new Set<string>();
  const stack = [head];
  while (stack.length > 0) {
    const sha = stack.pop()!;
    if (reachable.has(sha) || !parentsOf.has(sha)) continue;
    reachable.add(sha);
    stack.push(...parentsOf.get(sha)!);
  }
  return reachable;
}

// Commit history from the index, newest first, with keyset (cursor) pagination so a
// page past commit 9,000 costs the same as the first one.
import { Prisma, type PrismaClient } from "../generated/prisma/client";
import { invalid, notFound } from "../errors";
import { normalizeRepoPath } from "../git/paths";
import type { CommitListQuery } from "./schemas";

export interface CommitSummary {
  sha: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  authoredAt: string;
  committedAt: string;
  message: string;
  filesChanged: number;
  files: Array<{ path: string; change: string }>;
}

const FILES_PER_COMMIT_IN_LIST = 20;

export function encodeCursor(committedAt: Date, sha: string): string {
  return Buffer.from(`${committedAt.toISOString()}|${sha}`).toString("base64url");
}

function decodeCursor(cursor: string): { at: Date; sha: string } {
  const [iso, sha] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const at = new Date(iso ?? "");
  if (!sha || !/^[0-9a-f]{40}$/.test(sha) || Number.isNaN(at.getTime()))
    throw invalid("cursor is malformed; use the nextCursor value from the previous page", { field: "cursor" });
  return { at, sha };
}

function likePrefix(path: string): string {
  return path.replace(/[\\%_]/g, (c) => `\\${c}`) + "/%";
}

interface CommitRow {
  id: string;
  sha: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  authoredAt: Date;
  committedAt: Date;
  message: string;
  filesChanged: number;
}

const COLUMNS = Prisma.sql`c.id, c.sha, c.parents, c."authorName", c."authorEmail", c."authoredAt", c."committedAt", c.message, c."filesChanged"`;

async function requireRepository(prisma: PrismaClient, repositoryId: string) {
  const repo = await prisma.repository.findUnique({ where: { id: repositoryId }, select: { id: true } });
  if (!repo) throw notFound(`Repository ${repositoryId} does not exist`);
}

export async function listCommits(prisma: PrismaClient, repositoryId: string, query: CommitListQuery) {
  const path = normalizeRepoPath(query.path);
  const after = query.cursor ? decodeCursor(query.cursor) : null;
  const take = query.limit + 1;
  const pathFilter = path
    ? Prisma.sql`AND EXISTS (SELECT 1 FROM "CommitFile" f WHERE f."commitId" = c.id AND (f.path = ${path} OR f.path LIKE ${likePrefix(path)}))`
    : Prisma.empty;

  // Three round trips at most: branch (or repository) lookup, the page, its files.
  let rows: CommitRow[];
  if (query.branch) {
    const branch = await prisma.branch.findUnique({ where: { repositoryId_name: { repositoryId, name: query.branch } }, select: { id: true } });
    if (!branch) {
      await requireRepository(prisma, repositoryId);
      throw notFound(`Branch "${query.branch}" does not exist in this repository`);
    }
    const keyset = after ? Prisma.sql`AND (bc."committedAt", bc.sha) < (${after.at}, ${after.sha})` : Prisma.empty;
    rows = await prisma.$queryRaw<CommitRow[]>`
      SELECT ${COLUMNS} FROM "BranchCommit" bc JOIN "Commit" c ON c.id = bc."commitId"
      WHERE bc."branchId" = ${branch.id} ${keyset} ${pathFilter}
      ORDER BY bc."committedAt" DESC, bc.sha DESC LIMIT ${take}`;
  } else {
    await requireRepository(prisma, repositoryId);
    const keyset = after ? Prisma.sql`AND (c."committedAt", c.sha) < (${after.at}, ${after.sha})` : Prisma.empty;
    rows = await prisma.$queryRaw<CommitRow[]>`
      SELECT ${COLUMNS} FROM "Commit" c
      WHERE c."repositoryId" = ${repositoryId} ${keyset} ${pathFilter}
      ORDER BY c."committedAt" DESC, c.sha DESC LIMIT ${take}`;
  }

  const page = rows.slice(0, query.limit);
  const ids = page.map((r) => r.id);
  const files = ids.length
    ? await prisma.$queryRaw<Array<{ commitId: string; path: string; change: string }>>`
      SELECT "commitId", path, change::text AS change FROM (
        SELECT f.*, row_number() OVER (PARTITION BY f."commitId" ORDER BY f.path) AS n FROM "CommitFile" f WHERE f."commitId" = ANY(${ids})
      ) ranked WHERE n <= ${FILES_PER_COMMIT_IN_LIST}`
    : [];
  const filesById = new Map<string, Array<{ path: string; change: string }>>();
  for (const f of files) filesById.set(f.commitId, [...(filesById.get(f.commitId) ?? []), { path: f.path, change: f.change }]);

  const items: CommitSummary[] = page.map((c) => ({
    sha: c.sha,
    parents: c.parents,
    authorName: c.authorName,
    authorEmail: c.authorEmail,
    authoredAt: c.authoredAt.toISOString(),
    committedAt: c.committedAt.toISOString(),
    message: c.message,
    filesChanged: c.filesChanged,
    files: filesById.get(c.id) ?? [],
  }));
  const last = page[page.length - 1];
  const nextCursor = rows.length > query.limit && last ? encodeCursor(last.committedAt, last.sha) : null;
  return { items, nextCursor };
}

// Read-side operations behind the repository pages: branches, one commit, its diff,
// the file tree and file contents at any commit.
import type { PrismaClient } from "../generated/prisma/client";
import { notFound } from "../errors";
import { mirrorPath } from "../git/mirror";
import { listTree, readFileAt, resolveCommit } from "../git/content";
import { normalizeRepoPath } from "../git/paths";
import { commitRowId } from "../git/indexer";

export interface BrowseDeps {
  prisma: PrismaClient;
  mirrorsDir: string;
  maxFileBytes: number;
}

async function requireRepo(prisma: PrismaClient, id: string) {
  const repo = await prisma.repository.findUnique({ where: { id } });
  if (!repo) throw notFound(`Repository ${id} does not exist`);
  return repo;
}

export async function listBranches(prisma: PrismaClient, repositoryId: string) {
  const repo = await requireRepo(prisma, repositoryId);
  const branches = await prisma.branch.findMany({ where: { repositoryId }, orderBy: { name: "asc" } });
  const heads = await prisma.commit.findMany({
    where: { repositoryId, sha: { in: branches.map((b) => b.headSha) } },
    select: { sha: true, committedAt: true, message: true, authorName: true },
  });
  const bySha = new Map(heads.map((h) => [h.sha, h]));
  return branches.map((b) => ({
    name: b.name,
    headSha: b.headSha,
    isDefault: b.name === repo.defaultBranch,
    head: bySha.get(b.headSha) ?? null,
  }));
}

export async function getCommit(prisma: PrismaClient, repositoryId: string, sha: string) {
  await requireRepo(prisma, repositoryId);
  const commit = await prisma.commit.findUnique({
    where: { id: commitRowId(repositoryId, sha) },
    include: { files: { orderBy: { path: "asc" } } },
  });
  if (!commit) throw notFound(`Commit ${sha.slice(0, 7)} is not indexed in this repository`);
  return {
    sha: commit.sha,
    parents: commit.parents,
    authorName: commit.authorName,
    authorEmail: commit.authorEmail,
    authoredAt: commit.authoredAt.toISOString(),
    committerName: commit.committerName,
    committerEmail: commit.committerEmail,
    committedAt: commit.committedAt.toISOString(),
    message: commit.message,
    files: commit.files.map((f) => ({ path: f.path, change: f.change })),
  };
}

/** Both sides of one file in a commit, compared with its first parent. */
export async function getFileDiff(deps: BrowseDeps, repositoryId: string, sha: string, rawPath: string) {
  const path = normalizeRepoPath(rawPath);
  const commit = await getCommit(deps.prisma, repositoryId, sha);
  if (!commit.files.some((f) => f.path === path)) throw notFound(`Commit ${sha.slice(0, 7)} did not change "${path}"`);
  const gitdir = mirrorPath(deps.mirrorsDir, repositoryId);
  const parent = commit.parents[0];
  const [before, after] = await Promise.all([
    parent ? readFileAt(gitdir, parent, path, deps.maxFileBytes) : Promise.resolve(null),
    readFileAt(gitdir, sha, path, deps.maxFileBytes),
  ]);
  return { path, parent: parent ?? null, before, after };
}

export async function browseTree(deps: BrowseDeps, repositoryId: string, ref: string | undefined, rawPath: string | undefined) {
  const repo = await requireRepo(deps.prisma, repositoryId);
  const gitdir = mirrorPath(deps.mirrorsDir, repositoryId);
  const commit = await resolveCommit(gitdir, ref || repo.defaultBranch || "main");
  const path = normalizeRepoPath(rawPath);
  return { commit, path, entries: await listTree(gitdir, commit, path) };
}

export async function readFile(deps: BrowseDeps, repositoryId: string, ref: string | undefined, rawPath: string | undefined) {
  const repo = await requireRepo(deps.prisma, repositoryId);
  const path = normalizeRepoPath(rawPath);
  if (!path) throw notFound("A file path is required");
  const gitdir = mirrorPath(deps.mirrorsDir, repositoryId);
  const commit = await resolveCommit(gitdir, ref || repo.defaultBranch || "main");
  const file = await readFileAt(gitdir, commit, path, deps.maxFileBytes);
  if (!file) throw notFound(`File "${path}" does not exist at ${commit.slice(0, 7)}`);
  return { commit, file };
}

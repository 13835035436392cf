// Each Tideline process keeps its own mirror of a repository (local disk), while the commit index
// is shared in Postgres: a worker asked to render a revision its mirror has not seen yet (another
// worker fetched it) fetches first. Indexing stays with the "repository.fetch" job.
import type { PrismaClient } from "../generated/prisma/client";
import { AppError } from "../errors";
import { fetchMirror, mirrorPath } from "../git/mirror";
import { runGitRaw } from "../git/write-commit";

// Commits never change: once this process's mirror holds one, later reconciles skip the
// `git cat-file` (a process spawn per reconcile was a large part of a quiet pass).
const present = new Set<string>();
const MAX_REMEMBERED = 20_000;

export async function ensureRevisionInMirror(
  deps: { prisma: PrismaClient; mirrorsDir: string; unseal: (s: string) => string },
  repositoryId: string,
  revision: string,
): Promise<void> {
  const gitdir = mirrorPath(deps.mirrorsDir, repositoryId);
  const known = `${gitdir}\0${revision}`;
  if (present.has(known)) return;
  const has = async () => (await runGitRaw(gitdir, ["cat-file", "-e", `${revision}^{commit}`]).catch(() => ({ code: 1 }))).code === 0;
  const remember = () => {
    if (present.size >= MAX_REMEMBERED) present.clear();
    present.add(known);
  };
  if (await has()) return remember();
  const repo = await deps.prisma.repository.findUnique({ where: { id: repositoryId } });
  if (!repo) throw new AppError("not_found", `Repository ${repositoryId} does not exist`);
  await fetchMirror({ gitdir, url: repo.url, credentials: { username: repo.username, token: repo.encryptedToken ? deps.unseal(repo.encryptedToken) : null } });
  if (!(await has())) throw new AppError("conflict", `Revision ${revision.slice(0, 7)} is not in ${repo.name} any more (history rewritten?)`);
  remember();
}

// Tideline's only way to write to a repository: commit edits onto a branch and push with
// compare-and-swap; when the branch moved meanwhile, fetch, rebase the commit and retry.
import type { PrismaClient } from "../generated/prisma/client";
import { AppError } from "../errors";
import { fetchMirror, mirrorPath, type RemoteCredentials } from "../git/mirror";
import { isSafeBranchName } from "../git/paths";
import { pushBranch } from "../git/push";
import { commitEdits, rebaseCommit, runGitRaw, type FileEdit, type Signature } from "../git/write-commit";

export interface WriteDeps {
  prisma: PrismaClient;
  mirrorsDir: string;
  unseal: (sealed: string) => string;
  /** Called after a successful push (index the new commit, reconcile environments on the branch). */
  onPushed?: (repositoryId: string) => Promise<void>;
}

export const TIDELINE_COMMITTER: Signature = { name: "Tideline", email: "tideline@localhost" };
const MAX_ATTEMPTS = 5;

export async function repositoryAccess(deps: WriteDeps, repositoryId: string) {
  const repo = await deps.prisma.repository.findUnique({ where: { id: repositoryId } });
  if (!repo) throw new AppError("not_found", `Repository ${repositoryId} does not exist`);
  const credentials: RemoteCredentials = { username: repo.username, token: repo.encryptedToken ? deps.unseal(repo.encryptedToken) : null };
  return { repo, gitdir: mirrorPath(deps.mirrorsDir, repo.id), credentials };
}

/** The branch head as the mirror last saw it, or null when the branch does not exist. */
export async function mirrorHead(gitdir: string, branch: string): Promise<string | null> {
  if (!isSafeBranchName(branch)) throw new AppError("invalid", `"${branch}" is not a valid branch name`);
  const r = await runGitRaw(gitdir, ["rev-parse", "--verify", "-q", `refs/remotes/origin/${branch}^{commit}`]);
  return r.code === 0 ? r.stdout.trim() : null;
}

export interface CommitToBranchInput {
  repositoryId: string;
  branch: string;
  edits: FileEdit[];
  message: string;
  author: Signature;
  /** The commit the edits were made against; defaults to the branch head. */
  baseSha?: string;
  /** Create the branch from this commit when it does not exist; without it the branch must exist. */
  createFrom?: string;
  /** The branch must not exist yet (new change request branches). */
  mustCreate?: boolean;
}

export interface CommitToBranchResult {
  sha: string;
  parent: string;
  rebased: boolean;
  attempts: number;
}

/** Commits `edits` and pushes them to `branch`; conflicts with what moved meanwhile are reported, never overwritten. */
export async function commitToBranch(deps: WriteDeps, input: CommitToBranchInput): Promise<CommitToBranchResult> {
  const { repo, gitdir, credentials } = await repositoryAccess(deps, input.repositoryId);
  let head = await mirrorHead(gitdir, input.branch);
  if (head && input.mustCreate) throw new AppError("conflict", `Branch "${input.branch}" already exists in ${repo.name}; choose another branch name`);
  const base = input.baseSha ?? head ?? input.createFrom;
  if (!base) throw new AppError("not_found", `Branch "${input.branch}" does not exist in ${repo.name}`);
  const commit = await commitEdits({ gitdir, parent: base, edits: input.edits, message: input.message, author: input.author, committer: TIDELINE_COMMITTER });
  await assertChangesSomething(gitdir, commit, base);

  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const parent = head ?? base;
    const candidate = parent === base ? commit : await rebaseCommit(gitdir, commit, parent, TIDELINE_COMMITTER);
    const pushed = await pushBranch({ gitdir, url: repo.url, credentials, branch: input.branch, sha: candidate, expected: head });
    if (pushed.status === "pushed") {
      await runGitRaw(gitdir, ["update-ref", `refs/remotes/origin/${input.branch}`, candidate]);
      await deps.onPushed?.(repo.id);
      return { sha: candidate, parent, rebased: candidate !== commit, attempts: attempt };
    }
    if (input.mustCreate) throw new AppError("conflict", `Branch "${input.branch}" already exists in ${repo.name}; choose another branch name`);
    // Someone else pushed first: learn where the branch is now and replay on top of it.
    await refreshGitdir(gitdir, repo.url, credentials);
    head = await mirrorHead(gitdir, input.branch);
  }
  throw new AppError("conflict", `Branch "${input.branch}" kept moving while Tideline pushed (${MAX_ATTEMPTS} attempts); try again`);
}

/** Pushes an existing commit (a merge, a fast-forward) to a branch expected at `expected`. */
export async function pushCommit(deps: WriteDeps, input: { repositoryId: string; branch: string; sha: string; expected: string | null }) {
  const { repo, gitdir, credentials } = await repositoryAccess(deps, input.repositoryId);
  const pushed = await pushBranch({ gitdir, url: repo.url, credentials, branch: input.branch, sha: input.sha, expected: input.expected });
  if (pushed.status === "pushed") {
    await runGitRaw(gitdir, ["update-ref", `refs/remotes/origin/${input.branch}`, input.sha]);
    await deps.onPushed?.(repo.id);
  }
  return pushed;
}

/** Refreshes the mirror (no indexing) so a retry sees where branches are now. */
export async function refreshMirror(deps: WriteDeps, repositoryId: string) {
  const { repo, gitdir, credentials } = await repositoryAccess(deps, repositoryId);
  await refreshGitdir(gitdir, repo.url, credentials);
}

// Concurrent fetches into one mirror fight over ref locks: within a process they queue, and
// a collision with another process (or the background fetch) is retried once.
const refreshing = new Map<string, Promise<unknown>>();

async function refreshGitdir(gitdir: string, url: string, credentials: RemoteCredentials) {
  const previous = refreshing.get(gitdir) ?? Promise.resolve();
  const run = previous
    .catch(() => {})
    .then(async () => {
      try {
        await fetchMirror({ gitdir, url, credentials });
      } catch {
        await new Promise((r) => setTimeout(r, 200));
        await fetchMirror({ gitdir, url, credentials });
      }
    });
  refreshing.set(gitdir, run);
  try {
    await run;
  } finally {
    if (refreshing.get(gitdir) === run) refreshing.delete(gitdir);
  }
}

async function assertChangesSomething(gitdir: string, commit: string, base: string) {
  const r = await runGitRaw(gitdir, ["diff-tree", "--quiet", base, commit]);
  if (r.code === 0) throw new AppError("invalid", "The edit changes nothing: every file already has this content");
}

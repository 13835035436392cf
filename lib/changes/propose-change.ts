// "Propose change": commit the user's edits (as the user) on a new branch from the base the
// edits were made on, rebased onto the current base when it moved, then open the change request.
import { randomBytes } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client";
import { Prisma } from "../generated/prisma/client";
import { AppError } from "../errors";
import { commitEdits, rebaseCommit, type FileEdit, type Signature } from "../git/write-commit";
import { mirrorHead, pushCommit, refreshMirror, repositoryAccess, TIDELINE_COMMITTER, type WriteDeps } from "../repositories/write-branch";
import { providerFor } from "./provider-for";
import { computeProtection } from "./required-reviews";
import type { FileEditInput, ProposeChangeInput } from "./schemas";
import { changedFiles, mergeBase, runGitRaw } from "../git/write-commit";

export interface ChangeActor {
  id: string | null;
  username: string;
  displayName?: string | null;
}

export const signatureOf = (actor: ChangeActor): Signature => ({ name: actor.displayName || actor.username, email: `${actor.username}@users.tideline.local` });

/** A rename is a delete of the old path plus the new content at the new path. */
export function toFileEdits(files: FileEditInput[]): FileEdit[] {
  const edits: FileEdit[] = [];
  for (const f of files) {
    if (f.previousPath && f.previousPath !== f.path) edits.push({ path: f.previousPath, content: null });
    edits.push({ path: f.path, content: f.content });
  }
  return edits;
}

function defaultBranchName(username: string, title: string): string {
  const slug =
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40) || "change";
  const user =
    username
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .slice(0, 30) || "user";
  return `tideline/${user}/${slug}-${randomBytes(3).toString("hex")}`;
}

/** Builds the change's commit on top of the current base head; conflicts name the files and nothing is pushed. */
export async function buildChangeCommit(
  deps: WriteDeps,
  input: { repositoryId: string; baseBranch: string; baseSha?: string; edits: FileEdit[]; message: string; author: Signature },
) {
  const { gitdir, repo } = await repositoryAccess(deps, input.repositoryId);
  const head = await mirrorHead(gitdir, input.baseBranch);
  if (!head) throw new AppError("not_found", `Branch "${input.baseBranch}" does not exist in ${repo.name}`);
  const base = input.baseSha ?? head;
  const exists = await runGitRaw(gitdir, ["cat-file", "-e", `${base}^{commit}`]);
  if (exists.code !== 0)
    throw new AppError("invalid", `Commit ${base.slice(0, 7)} is not in ${repo.name} (history rewritten?); reload the file and edit again`);
  const onBase = await commitEdits({ gitdir, parent: base, edits: input.edits, message: input.message, author: input.author, committer: TIDELINE_COMMITTER });
  const commit = base === head ? onBase : await rebaseCommit(gitdir, onBase, head, TIDELINE_COMMITTER);
  const files = await changedFiles(gitdir, head, commit);
  if (files.length === 0) throw new AppError("invalid", "The edit changes nothing: every file already has this content on the base branch");
  return { gitdir, repo, head, commit, files };
}

/**
 * `files` come from people (the editor); `edits` from Tideline itself (promotions, image updates).
 * `requiredReviews` is a floor (a promotion's target approvals); what the change renders differently decides the rest.
 */
export type ProposeInput = Omit<ProposeChangeInput, "files"> & { kind?: string; requiredReviews?: number } & (
    | { files: FileEditInput[] }
    | { edits: FileEdit[] }
  );

/** The protected environments the commit changes (rendered, base vs head), stored with the record as its cache. */
async function protectionFields(deps: WriteDeps, input: { repositoryId: string; branch: string; baseSha: string; headSha: string; floor?: number }) {
  const protection = await computeProtection(deps, input);
  return { protection: protection as object, protectionSha: input.headSha, requiredReviews: Math.max(input.floor ?? 0, protection.requiredReviews) };
}

export async function proposeChange(deps: WriteDeps, actor: ChangeActor, input: ProposeInput) {
  const headBranch = input.headBranch ?? defaultBranchName(actor.username, input.title);
  if (headBranch === input.baseBranch) throw new AppError("invalid", "headBranch must differ from baseBranch");
  const message = input.body ? `${input.title}\n\n${input.body}` : input.title;
  // Build on where the base really is now (the mirror may be a fetch interval behind), so a
  // conflict with what moved upstream is reported before anything is pushed.
  await refreshMirror(deps, input.repositoryId).catch(() => {});
  const { gitdir, repo, head, commit, files } = await buildChangeCommit(deps, {
    repositoryId: input.repositoryId,
    baseBranch: input.baseBranch,
    baseSha: input.baseSha,
    edits: "edits" in input ? input.edits : toFileEdits(input.files),
    message,
    author: signatureOf(actor),
  });
  if (await mirrorHead(gitdir, headBranch))
    throw new AppError("conflict", `Branch "${headBranch}" already exists in ${repo.name}; choose another branch name`, { field: "headBranch" });
  const pushed = await pushCommit({ ...deps, onPushed: undefined }, { repositoryId: repo.id, branch: headBranch, sha: commit, expected: null });
  if (pushed.status === "stale")
    throw new AppError("conflict", `Branch "${headBranch}" already exists in ${repo.name}; choose another branch name`, { field: "headBranch" });
  const protection = await protectionFields(deps, {
    repositoryId: repo.id,
    branch: input.baseBranch,
    baseSha: head,
    headSha: commit,
    floor: input.requiredReviews,
  });

  const provider = providerFor(repo, deps.unseal);
  const external = provider ? await provider.open({ title: input.title, body: input.body, headBranch, baseBranch: input.baseBranch }) : null;
  const cr = await createRecord(deps.prisma, {
    repositoryId: repo.id,
    title: input.title,
    body: input.body,
    authorId: actor.id,
    authorName: actor.username,
    baseBranch: input.baseBranch,
    headBranch,
    baseSha: head,
    headSha: commit,
    kind: input.kind ?? "edit",
    provider: repo.provider,
    externalNumber: external?.number ?? null,
    externalUrl: external?.url ?? null,
    externalAuthor: external?.author ?? null,
    ...protection,
  });
  await deps.onPushed?.(repo.id);
  return { ...cr, files };
}

/** Opens a change request for a branch that already exists (a promotion by branch merge). */
export async function openChangeForBranch(
  deps: WriteDeps,
  actor: ChangeActor,
  input: { repositoryId: string; baseBranch: string; headBranch: string; title: string; body: string; kind: string; requiredReviews?: number },
) {
  const { gitdir, repo } = await repositoryAccess(deps, input.repositoryId);
  const [base, head] = await Promise.all([mirrorHead(gitdir, input.baseBranch), mirrorHead(gitdir, input.headBranch)]);
  if (!base) throw new AppError("not_found", `Branch "${input.baseBranch}" does not exist in ${repo.name}`);
  if (!head) throw new AppError("not_found", `Branch "${input.headBranch}" does not exist in ${repo.name}`);
  const from = (await mergeBase(gitdir, base, head)) ?? base;
  const protection = await protectionFields(deps, {
    repositoryId: repo.id,
    branch: input.baseBranch,
    baseSha: from,
    headSha: head,
    floor: input.requiredReviews,
  });
  const provider = providerFor(repo, deps.unseal);
  const external = provider ? await provider.open({ title: input.title, body: input.body, headBranch: input.headBranch, baseBranch: input.baseBranch }) : null;
  return createRecord(deps.prisma, {
    repositoryId: repo.id,
    title: input.title,
    body: input.body,
    authorId: actor.id,
    authorName: actor.username,
    baseBranch: input.baseBranch,
    headBranch: input.headBranch,
    baseSha: base,
    headSha: head,
    kind: input.kind,
    provider: repo.provider,
    externalNumber: external?.number ?? null,
    externalUrl: external?.url ?? null,
    externalAuthor: external?.author ?? null,
    ...protection,
  });
}

/** Numbers are per repository (#1, #2, ...); a concurrent proposal that took the number retries. */
async function createRecord(prisma: PrismaClient, data: Omit<Prisma.ChangeRequestUncheckedCreateInput, "number">) {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const last = await prisma.changeRequest.findFirst({ where: { repositoryId: data.repositoryId }, orderBy: { number: "desc" }, select: { number: true } });
    try {
      return await prisma.changeRequest.create({ data: { ...data, number: (last?.number ?? 0) + 1 } });
    } catch (e) {
      if (!(e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002")) throw e;
    }
  }
  throw new AppError("conflict", "Could not number the change request (too many at once); try again");
}

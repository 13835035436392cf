// Merging a change request: only when the required reviews are in and the head is what the
// reviewers saw; a merge commit or a fast-forward pushed as compare-and-swap onto the base.
import type { ChangeRequest } from "../generated/prisma/client";
import { AppError } from "../errors";
import { isAncestor, mergeCommit } from "../git/write-commit";
import { mirrorHead, pushCommit, refreshMirror, repositoryAccess, TIDELINE_COMMITTER, type WriteDeps } from "../repositories/write-branch";
import { providerFor } from "./provider-for";
import type { ChangeActor } from "./propose-change";
import { reviewVerdict } from "./required-reviews";
import { loadOpenChange } from "./review-change";

export interface MergeDeps extends WriteDeps {
  /** Runs after the merge is recorded (promotions waiting on it, rollback holds). */
  afterMerge?: (cr: ChangeRequest) => Promise<void>;
}

const MAX_ATTEMPTS = 4;

export async function assertMergeable(deps: WriteDeps, cr: ChangeRequest) {
  const reviews = await deps.prisma.changeRequestReview.findMany({ where: { changeRequestId: cr.id } });
  const { approvals, changesRequested } = reviewVerdict(reviews, cr.authorName);
  if (changesRequested > 0) throw new AppError("conflict", `Change request #${cr.number} has ${changesRequested} request(s) for changes; they must approve before it can merge`);
  if (approvals < cr.requiredReviews) {
    throw new AppError("conflict", `Change request #${cr.number} needs ${cr.requiredReviews} approval(s) from people other than the author; it has ${approvals}`);
  }
}

export async function mergeChange(
  deps: MergeDeps,
  actor: ChangeActor,
  id: string,
  input: { method: "merge" | "fast-forward"; expectedHeadSha?: string },
  opts: { skipReviewCheck?: boolean; viaPromotion?: boolean; skipAfterMerge?: boolean } = {},
) {
  const cr = await loadOpenChange(deps, id);
  if (cr.kind === "promotion" && !opts.viaPromotion) {
    throw new AppError("conflict", `Change request #${cr.number} belongs to a promotion: it merges when the promotion gets its approvals`);
  }
  if (!opts.skipReviewCheck) await assertMergeable(deps, cr);
  if (input.expectedHeadSha && input.expectedHeadSha !== cr.headSha) {
    throw new AppError("conflict", `Change request #${cr.number} has new commits since you looked (now at ${cr.headSha.slice(0, 7)}); review them before merging`);
  }
  const provider = providerFor(cr.repository, deps.unseal);
  let mergedSha: string;
  if (provider && cr.externalNumber) {
    mergedSha = (await provider.merge(cr.externalNumber, { method: input.method, expectedHeadSha: cr.headSha, commitTitle: `Merge #${cr.externalNumber}: ${cr.title}` })).mergedSha;
    await refreshMirror(deps, cr.repositoryId);
    await deps.onPushed?.(cr.repositoryId);
  } else {
    mergedSha = await mergeBuiltIn(deps, cr, input.method);
  }
  const merged = await deps.prisma.changeRequest.update({
    where: { id: cr.id },
    data: { status: "merged", mergedSha, mergedAt: new Date(), mergedByName: actor.username, mergeMethod: input.method, lastError: null },
  });
  if (!opts.skipAfterMerge) await deps.afterMerge?.(merged);
  return merged;
}

async function mergeBuiltIn(deps: WriteDeps, cr: ChangeRequest, method: "merge" | "fast-forward"): Promise<string> {
  const { gitdir } = await repositoryAccess(deps, cr.repositoryId);
  await refreshMirror(deps, cr.repositoryId);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const base = await mirrorHead(gitdir, cr.baseBranch);
    const head = await mirrorHead(gitdir, cr.headBranch);
    if (!base) throw new AppError("conflict", `Base branch "${cr.baseBranch}" no longer exists`);
    if (!head) throw new AppError("conflict", `Branch "${cr.headBranch}" of change request #${cr.number} no longer exists`);
    if (head !== cr.headSha) throw new AppError("conflict", `Branch "${cr.headBranch}" moved outside Tideline (now ${head.slice(0, 7)}); reload the change request and review again`);
    let target: string;
    if (await isAncestor(gitdir, head, base)) return base; // already contained in the base
    if (method === "fast-forward") {
      if (!(await isAncestor(gitdir, base, head))) {
        throw new AppError("conflict", `"${cr.baseBranch}" moved since the change was made, so it cannot fast-forward; merge with a merge commit instead`);
      }
      target = head;
    } else {
      const merged = await mergeCommit(gitdir, base, head, `Merge change request #${cr.number}: ${cr.title}\n\nBranch ${cr.headBranch} into ${cr.baseBranch}.`, TIDELINE_COMMITTER);
      if (!merged.clean) {
        throw new AppError("conflict", `Change request #${cr.number} conflicts with "${cr.baseBranch}" in ${merged.conflicts.join(", ")}; update the branch and try again`, { conflicts: merged.conflicts });
      }
      target = merged.sha!;
    }
    const pushed = await pushCommit(deps, { repositoryId: cr.repositoryId, branch: cr.baseBranch, sha: target, expected: base });
    if (pushed.status === "pushed") return target;
    await refreshMirror(deps, cr.repositoryId);
  }
  throw new AppError("conflict", `"${cr.baseBranch}" kept moving while merging; try again`);
}

// Merging a change request: only when the required reviews are in and the head is what the
// reviewers saw; a merge commit or a fast-forward pushed as compare-and-swap onto the base.
import type { ChangeRequest } from "../generated/prisma/client";
import { AppError } from "../errors";
import { isAncestor, mergeCommit } from "../git/write-commit";
import { mirrorHead, pushCommit, refreshMirror, repositoryAccess, TIDELINE_COMMITTER, type WriteDeps } from "../repositories/write-branch";
import { approvalStatus } from "./approvals";
import { followHead } from "./head";
import { protectionFor } from "./protection";
import { providerFor } from "./provider-for";
import type { ChangeActor } from "./propose-change";
import { loadOpenChange } from "./review-change";

export interface MergeDeps extends WriteDeps {
  /** Runs after the merge is recorded (promotions waiting on it, rollback holds). */
  afterMerge?: (cr: ChangeRequest) => Promise<void>;
}

const MAX_ATTEMPTS = 4;

/** The approvals the head needs (from the rendered result) are in; throws 409 naming what is missing. */
export async function assertMergeable(deps: WriteDeps, cr: ChangeRequest) {
  const reviews = await deps.prisma.changeRequestReview.findMany({ where: { changeRequestId: cr.id } });
  const status = await approvalStatus(
    deps.prisma,
    cr,
    reviews,
    await protectionFor(deps, cr, { refresh: () => refreshMirror(deps, cr.repositoryId), throttle: false }),
  );
  if (!status.mergeable) {
    throw new AppError("conflict", `Change request #${cr.number} cannot merge at ${cr.headSha.slice(0, 7)}: ${status.blockers.join("; ")}`, {
      blockers: status.blockers,
    });
  }
  return status;
}

/**
 * For a promotion's change request: its approvals cover its own application, but protected
 * environments of OTHER applications that the change renders differently (a branch merge reaches
 * them) need their own approvers, given on the change request. Returns what is missing.
 */
export async function otherApplicationsMissing(deps: WriteDeps, changeRequestId: string, applicationId: string): Promise<string[]> {
  const cr = await deps.prisma.changeRequest.findUniqueOrThrow({ where: { id: changeRequestId } });
  const protection = await protectionFor(deps, cr, { refresh: () => refreshMirror(deps, cr.repositoryId), throttle: false });
  if (protection.pending) return [protection.reason];
  const reviews = await deps.prisma.changeRequestReview.findMany({ where: { changeRequestId } });
  const others = { ...protection, requirements: protection.requirements.filter((r) => r.applicationId !== applicationId) };
  const status = await approvalStatus(deps.prisma, cr, reviews, others);
  return status.requirements.filter((r) => !r.met).map((r) => `${r.summary} (it has ${r.have}; approve it on change request #${cr.number})`);
}

export async function mergeChange(
  deps: MergeDeps,
  actor: ChangeActor,
  id: string,
  input: { method: "merge" | "fast-forward"; expectedHeadSha?: string },
  opts: { skipReviewCheck?: boolean; viaPromotion?: boolean; skipAfterMerge?: boolean } = {},
) {
  const loaded = await loadOpenChange(deps, id);
  if (loaded.kind === "promotion" && !opts.viaPromotion) {
    throw new AppError("conflict", `Change request #${loaded.number} belongs to a promotion: it merges when the promotion gets its approvals`);
  }
  // See the branch as it is now: a commit pushed since the approvals moves the head and resets them.
  if (loaded.provider === "git" || !loaded.externalNumber) await refreshMirror(deps, loaded.repositoryId).catch(() => {});
  const cr = { ...(await followHead(deps, loaded)), repository: loaded.repository };
  if (!opts.skipReviewCheck) await assertMergeable(deps, cr);
  if (input.expectedHeadSha && input.expectedHeadSha !== cr.headSha) {
    throw new AppError(
      "conflict",
      `Change request #${cr.number} has new commits since you looked (now at ${cr.headSha.slice(0, 7)}); review them before merging`,
    );
  }
  const provider = providerFor(cr.repository, deps.unseal);
  let mergedSha: string;
  if (provider && cr.externalNumber) {
    mergedSha = (
      await provider.merge(cr.externalNumber, { method: input.method, expectedHeadSha: cr.headSha, commitTitle: `Merge #${cr.externalNumber}: ${cr.title}` })
    ).mergedSha;
    await refreshMirror(deps, cr.repositoryId);
    await deps.onPushed?.(cr.repositoryId);
  } else {
    mergedSha = await mergeBuiltIn(deps, cr, input.method);
  }
  // Compare-and-swap on the approved head: the record only turns merged for the commit that was checked.
  const recorded = await deps.prisma.changeRequest.updateMany({
    where: { id: cr.id, status: "open", headSha: cr.headSha },
    data: { status: "merged", mergedSha, mergedAt: new Date(), mergedByName: actor.username, mergeMethod: input.method, lastError: null },
  });
  if (recorded.count === 0)
    throw new AppError("conflict", `Change request #${cr.number} changed while merging (${cr.headSha.slice(0, 7)} was merged); reload it`);
  const merged = await deps.prisma.changeRequest.findUniqueOrThrow({ where: { id: cr.id } });
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
    if (head !== cr.headSha)
      throw new AppError("conflict", `Branch "${cr.headBranch}" moved outside Tideline (now ${head.slice(0, 7)}); reload the change request and review again`);
    let target: string;
    if (await isAncestor(gitdir, head, base)) return base; // already contained in the base
    if (method === "fast-forward") {
      if (!(await isAncestor(gitdir, base, head))) {
        throw new AppError("conflict", `"${cr.baseBranch}" moved since the change was made, so it cannot fast-forward; merge with a merge commit instead`);
      }
      target = head;
    } else {
      const merged = await mergeCommit(
        gitdir,
        base,
        head,
        `Merge change request #${cr.number}: ${cr.title}\n\nBranch ${cr.headBranch} into ${cr.baseBranch}.`,
        TIDELINE_COMMITTER,
      );
      if (!merged.clean) {
        throw new AppError(
          "conflict",
          `Change request #${cr.number} conflicts with "${cr.baseBranch}" in ${merged.conflicts.join(", ")}; update the branch and try again`,
          { conflicts: merged.conflicts },
        );
      }
      target = merged.sha!;
    }
    const pushed = await pushCommit(deps, { repositoryId: cr.repositoryId, branch: cr.baseBranch, sha: target, expected: base });
    if (pushed.status === "pushed") return target;
    await refreshMirror(deps, cr.repositoryId);
  }
  throw new AppError("conflict", `"${cr.baseBranch}" kept moving while merging; try again`);
}

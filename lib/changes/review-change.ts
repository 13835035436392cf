// Reviews on a change request (approve, request changes, comment) and closing it. The
// author never approves their own change; provider-backed requests are reviewed there too.
import { AppError } from "../errors";
import { refreshMirror, type WriteDeps } from "../repositories/write-branch";
import { followHead } from "./head";
import { providerFor } from "./provider-for";
import type { ChangeActor } from "./propose-change";

/** Promotion states in which its change request still matters: only cancelling the promotion closes it. */
const PROMOTION_HOLDS = ["proposed", "awaiting_approval", "approved", "merged"];

export async function loadOpenChange(deps: WriteDeps, id: string) {
  const cr = await deps.prisma.changeRequest.findUnique({ where: { id }, include: { repository: true } });
  if (!cr) throw new AppError("not_found", `Change request ${id} does not exist`);
  if (cr.status !== "open") throw new AppError("conflict", `Change request #${cr.number} is already ${cr.status}`);
  return cr;
}

export async function reviewChange(
  deps: WriteDeps,
  actor: ChangeActor,
  id: string,
  input: { state: "approved" | "changes_requested" | "commented"; body: string; headSha?: string },
) {
  const loaded = await loadOpenChange(deps, id);
  // The review is bound to the head as it is now (a built-in branch may have moved since the page loaded).
  if (loaded.provider === "git" || !loaded.externalNumber) await refreshMirror(deps, loaded.repositoryId).catch(() => {});
  const cr = { ...(await followHead(deps, loaded)), repository: loaded.repository };
  if (input.headSha && input.headSha !== cr.headSha) {
    throw new AppError("conflict", `Change request #${cr.number} has new commits since you looked (now at ${cr.headSha.slice(0, 7)}); review them first`, {
      headSha: cr.headSha,
    });
  }
  if (input.state !== "commented" && (cr.authorName === actor.username || (cr.authorId !== null && cr.authorId === actor.id))) {
    throw new AppError("forbidden", `You opened change request #${cr.number}; someone else must review it`);
  }
  if (input.state !== "approved" && !input.body.trim())
    throw new AppError("invalid", "body: a comment is required when requesting changes or commenting", { field: "body" });
  const provider = providerFor(cr.repository, deps.unseal);
  // Tideline talks to the provider with one repository token (often the account that opened the
  // request, which GitHub/GitLab forbid from approving), so reviews given here are posted as comments
  // naming the person; the approval rule is enforced by Tideline on its own records.
  if (provider && cr.externalNumber) {
    const verb = { approved: "approved", changes_requested: "requested changes", commented: "commented" }[input.state];
    await provider.review(cr.externalNumber, { state: "commented", body: `${actor.username} ${verb} in Tideline${input.body ? `:\n\n${input.body}` : "."}` });
  }
  return deps.prisma.changeRequestReview.create({
    data: { changeRequestId: cr.id, userId: actor.id, userName: actor.username, state: input.state, body: input.body, commitSha: cr.headSha },
  });
}

/**
 * Closes without merging. A promotion's change request is closed only by cancelling the promotion
 * (lib/promotions/cancel.ts passes viaPromotion), so the promotion is never left waiting on it.
 */
export async function closeChange(deps: WriteDeps, actor: ChangeActor, id: string, opts: { viaPromotion?: boolean } = {}) {
  const cr = await loadOpenChange(deps, id);
  if (!opts.viaPromotion) {
    const promotion = await deps.prisma.promotion.findUnique({ where: { changeRequestId: cr.id }, select: { id: true, kind: true, status: true } });
    if (promotion && PROMOTION_HOLDS.includes(promotion.status)) {
      throw new AppError(
        "conflict",
        `Change request #${cr.number} belongs to a ${promotion.kind} that is ${promotion.status.replace("_", " ")}: cancel the ${promotion.kind} instead (its author, an approver of the application or an admin may), which closes this change request`,
        { promotionId: promotion.id },
      );
    }
  }
  const provider = providerFor(cr.repository, deps.unseal);
  if (provider && cr.externalNumber) await provider.close(cr.externalNumber);
  return deps.prisma.changeRequest.update({ where: { id: cr.id }, data: { status: "closed", closedAt: new Date(), mergedByName: null, lastError: null } });
}

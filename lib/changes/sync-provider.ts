// Mirrors a GitHub/GitLab change request into Tideline: state, head, merge commit and the
// reviews given there, so the pages and the promotion rules see what happened outside.
import { AppError } from "../errors";
import type { MergeDeps } from "./merge-change";
import { providerFor } from "./provider-for";
import type { ProviderReview } from "./providers/types";

export async function syncProviderChange(deps: MergeDeps, id: string) {
  const cr = await deps.prisma.changeRequest.findUnique({ where: { id }, include: { repository: true } });
  if (!cr) throw new AppError("not_found", `Change request ${id} does not exist`);
  const provider = providerFor(cr.repository, deps.unseal);
  if (!provider || !cr.externalNumber) return cr;
  try {
    const [remote, reviews] = await Promise.all([provider.get(cr.externalNumber), provider.listReviews(cr.externalNumber)]);
    await mirrorReviews(deps, cr.id, reviews);
    const becameMerged = cr.status === "open" && remote.state === "merged";
    const updated = await deps.prisma.changeRequest.update({
      where: { id: cr.id },
      data: {
        status: remote.state,
        headSha: remote.headSha || cr.headSha,
        externalAuthor: remote.author || cr.externalAuthor,
        mergedSha: remote.mergedSha ?? cr.mergedSha,
        mergedAt: becameMerged ? new Date() : cr.mergedAt,
        closedAt: remote.state === "closed" && !cr.closedAt ? new Date() : cr.closedAt,
        lastSyncedAt: new Date(),
        lastError: null,
      },
    });
    if (cr.status === "open" && remote.state === "closed") {
      // Closed on the provider: a promotion waiting on it is cancelled rather than left stuck.
      const { cancelForClosedChange } = await import("../promotions/cancel");
      await cancelForClosedChange(deps.prisma, cr.id, provider.kind === "github" ? "GitHub" : "GitLab");
    }
    if (becameMerged) {
      await deps.onPushed?.(cr.repositoryId);
      await deps.afterMerge?.(updated);
    }
    return updated;
  } catch (e) {
    const message = e instanceof AppError ? e.message : (e as Error).message;
    await deps.prisma.changeRequest.update({ where: { id: cr.id }, data: { lastError: message, lastSyncedAt: new Date() } });
    throw e;
  }
}

/**
 * New provider reviews are recorded with the head they were given on; a mirrored review the provider
 * now lists as dismissed (GitHub), or an approval it no longer lists (GitLab unapproval), is dismissed.
 */
async function mirrorReviews(deps: MergeDeps, changeRequestId: string, reviews: ProviderReview[]) {
  const mirrored = await deps.prisma.changeRequestReview.findMany({
    where: { changeRequestId, externalId: { not: null } },
    select: { id: true, externalId: true, state: true, dismissedAt: true },
  });
  const byId = new Map(reviews.map((r) => [r.id, r]));
  const known = new Set(mirrored.map((r) => r.externalId));
  const fresh = reviews.filter((r) => !known.has(r.id));
  if (fresh.length) {
    await deps.prisma.changeRequestReview.createMany({
      data: fresh.map((r) => ({
        changeRequestId,
        userName: r.author,
        state: r.state,
        body: r.body,
        externalId: r.id,
        createdAt: new Date(r.submittedAt),
        commitSha: r.commitSha,
        dismissedAt: r.dismissed ? new Date() : null,
      })),
    });
  }
  const withdrawn = mirrored.filter((m) => !m.dismissedAt && (byId.get(m.externalId!)?.dismissed || (!byId.has(m.externalId!) && m.state !== "commented")));
  if (withdrawn.length)
    await deps.prisma.changeRequestReview.updateMany({ where: { id: { in: withdrawn.map((m) => m.id) } }, data: { dismissedAt: new Date() } });
}

/** Refreshes every open provider-backed change request (called with the periodic fetch). */
export async function syncOpenProviderChanges(deps: MergeDeps) {
  const open = await deps.prisma.changeRequest.findMany({ where: { status: "open", provider: { not: "git" } }, select: { id: true } });
  for (const { id } of open) await syncProviderChange(deps, id).catch(() => {});
}

// Mirrors a GitHub/GitLab change request into Tideline: state, head, merge commit and the
// reviews given there, so the pages and the promotion rules see what happened outside.
import { AppError } from "../errors";
import type { MergeDeps } from "./merge-change";
import { providerFor } from "./provider-for";

export async function syncProviderChange(deps: MergeDeps, id: string) {
  const cr = await deps.prisma.changeRequest.findUnique({ where: { id }, include: { repository: true } });
  if (!cr) throw new AppError("not_found", `Change request ${id} does not exist`);
  const provider = providerFor(cr.repository, deps.unseal);
  if (!provider || !cr.externalNumber) return cr;
  try {
    const [remote, reviews] = await Promise.all([provider.get(cr.externalNumber), provider.listReviews(cr.externalNumber)]);
    const known = new Set((await deps.prisma.changeRequestReview.findMany({ where: { changeRequestId: cr.id, externalId: { not: null } }, select: { externalId: true } })).map((r) => r.externalId));
    const fresh = reviews.filter((r) => !known.has(r.id));
    if (fresh.length) {
      await deps.prisma.changeRequestReview.createMany({
        data: fresh.map((r) => ({ changeRequestId: cr.id, userName: r.author, state: r.state, body: r.body, externalId: r.id, createdAt: new Date(r.submittedAt) })),
      });
    }
    const becameMerged = cr.status === "open" && remote.state === "merged";
    const updated = await deps.prisma.changeRequest.update({
      where: { id: cr.id },
      data: {
        status: remote.state,
        headSha: remote.headSha || cr.headSha,
        mergedSha: remote.mergedSha ?? cr.mergedSha,
        mergedAt: becameMerged ? new Date() : cr.mergedAt,
        closedAt: remote.state === "closed" && !cr.closedAt ? new Date() : cr.closedAt,
        lastSyncedAt: new Date(),
        lastError: null,
      },
    });
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

/** Refreshes every open provider-backed change request (called with the periodic fetch). */
export async function syncOpenProviderChanges(deps: MergeDeps) {
  const open = await deps.prisma.changeRequest.findMany({ where: { status: "open", provider: { not: "git" } }, select: { id: true } });
  for (const { id } of open) await syncProviderChange(deps, id).catch(() => {});
}

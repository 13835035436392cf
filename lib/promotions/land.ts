// After a promotion's change reaches the target branch: record it, then queue the target's sync
// (or leave it for a person, per the environment), and follow that sync to synced and healthy.
import type { Prisma } from "../generated/prisma/client";
import { isAncestor } from "../git/write-commit";
import { mirrorPath } from "../git/mirror";
import { requestSync } from "../reconcile/request-sync";
import type { JobQueue } from "../jobs/types";
import { addEvent } from "./events";
import type { PromotionDeps } from "./deps";

export async function landPromotion(deps: PromotionDeps & { jobs: JobQueue }, promotionId: string, sha: string, actorName: string) {
  const promotion = await deps.prisma.promotion.update({
    where: { id: promotionId },
    data: { status: "merged", commitSha: sha, mergedAt: new Date(), error: null },
  });
  const target = await deps.prisma.environment.findUniqueOrThrow({ where: { id: promotion.targetEnvironmentId } });
  if (!target.syncAfterPromotion) {
    await addEvent(deps.prisma, promotionId, "tideline", "waiting_for_sync", `${target.name} syncs when a person presses sync`);
    return promotion;
  }
  // "syncing" before the run exists: the tracker may finish the promotion the moment the run ends,
  // and must not be overwritten. The run is pinned to the promoted commit: this worker's view of the
  // branch head may not have caught up with the push yet (the fetch job that follows it moves it).
  const syncing = await deps.prisma.promotion.update({ where: { id: promotionId }, data: { status: "syncing" } });
  const { runId } = await requestSync(deps, target.id, { actorName, promotionId, revision: sha });
  await addEvent(deps.prisma, promotionId, actorName, "sync_started", `syncing ${target.name} to ${sha.slice(0, 7)} (run ${runId})`);
  return syncing;
}

/**
 * Moves landed promotions on (run after every sync and reconcile of their target, and by the
 * minute sweep): succeeded once the target runs the commit and is healthy; failed when the sync
 * that lands it failed; when it synced but the target stayed unhealthy, "landed_degraded" (or failed
 * when the target's promotionVerification is "healthy"). A sync still queued or running is waited for.
 */
export async function advancePromotions(deps: PromotionDeps & { jobs: JobQueue }, opts: { environmentId?: string } = {}) {
  const open = await deps.prisma.promotion.findMany({
    where: { status: { in: ["merged", "syncing"] }, commitSha: { not: null }, ...(opts.environmentId ? { targetEnvironmentId: opts.environmentId } : {}) },
    include: { targetEnvironment: true },
  });
  // Settles a promotion only while it is still open: verification may have failed it meanwhile.
  const settle = async (id: string, data: Prisma.PromotionUpdateManyMutationInput) =>
    (await deps.prisma.promotion.updateMany({ where: { id, status: { in: ["merged", "syncing"] } }, data })).count === 1;
  for (const p of open) {
    const env = p.targetEnvironment;
    const since = p.mergedAt ?? p.createdAt;
    const own = await deps.prisma.syncRun.findFirst({ where: { promotionId: p.id }, orderBy: { queuedAt: "desc" } });
    const lastRun =
      own ??
      (await deps.prisma.syncRun.findFirst({ where: { environmentId: env.id, queuedAt: { gte: since }, dryRun: false }, orderBy: { queuedAt: "desc" } }));
    if (lastRun && ["queued", "running"].includes(lastRun.status)) continue;
    const gitdir = mirrorPath(deps.mirrorsDir, env.repositoryId);
    // A rollback runs an older commit, which every newer revision descends from: only the exact revision counts.
    const reaches = async (revision: string) => revision === p.commitSha || (p.kind !== "rollback" && (await isAncestor(gitdir, p.commitSha!, revision)));
    const runsIt = env.syncedRevision ? await reaches(env.syncedRevision) : false;
    if (runsIt && env.health === "Healthy" && env.syncStatus === "Synced") {
      if (!(await settle(p.id, { status: "succeeded", syncedAt: new Date(), finishedAt: new Date() }))) continue;
      await addEvent(deps.prisma, p.id, "tideline", "succeeded", `${env.name} runs ${env.syncedRevision!.slice(0, 7)} and is healthy`);
      continue;
    }
    const landedUnhealthy =
      runsIt &&
      env.syncStatus === "Synced" &&
      env.health === "Degraded" &&
      lastRun?.status === "succeeded" &&
      lastRun.finishedAt &&
      env.lastReconciledAt &&
      env.lastReconciledAt > lastRun.finishedAt;
    if ((lastRun?.status === "degraded" && lastRun.revision && (await reaches(lastRun.revision))) || landedUnhealthy) {
      // The change is in and synced: whether an unhealthy target fails the promotion is the target's call.
      const why = `${env.name} runs ${(lastRun!.revision ?? env.syncedRevision ?? "").slice(0, 7)} but is not healthy${lastRun!.status === "degraded" ? " within the sync's health wait" : ""}: ${await unhealthyObjects(deps, env.id)}`;
      const failIt = env.promotionVerification === "healthy";
      if (!(await settle(p.id, { status: failIt ? "failed" : "landed_degraded", error: why, syncedAt: new Date(), finishedAt: new Date() }))) continue;
      await addEvent(
        deps.prisma,
        p.id,
        "tideline",
        failIt ? "failed" : "landed_degraded",
        failIt ? `${why} (${env.name} requires a healthy target)` : `landed, target Degraded: ${why}`,
      );
      continue;
    }
    if (lastRun && ["failed", "partial"].includes(lastRun.status) && lastRun.revision && (await reaches(lastRun.revision))) {
      const why = lastRun.error ?? "sync failed";
      if (!(await settle(p.id, { status: "failed", error: why, finishedAt: new Date() }))) continue;
      await addEvent(deps.prisma, p.id, "tideline", "failed", `sync of ${env.name} ${lastRun.status}: ${why}`);
      continue;
    }
    if (runsIt && lastRun?.status === "succeeded" && (!env.lastReconciledAt || Date.now() - env.lastReconciledAt.getTime() > 5_000)) {
      // Synced: re-check health now rather than at the next resync.
      await deps.jobs.send("environment.work", { environmentId: env.id, reason: "promotion health check" });
    }
  }
}

/** The target's objects that are not healthy, as a person would read them off the environment page. */
async function unhealthyObjects(deps: PromotionDeps, environmentId: string): Promise<string> {
  const rows = await deps.prisma.resourceState.findMany({
    where: { environmentId, health: { notIn: ["Healthy", "Suspended"] }, syncStatus: { not: "Extraneous" } },
    orderBy: [{ kind: "asc" }, { name: "asc" }],
    take: 6,
  });
  if (rows.length === 0) return "no object reported why";
  const list = rows.slice(0, 5).map((r) => `${r.kind}/${r.name} ${r.health}${r.healthMessage ? ` (${r.healthMessage})` : ""}`);
  return list.join("; ") + (rows.length > 5 ? "; …" : "");
}

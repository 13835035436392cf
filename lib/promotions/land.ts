// After a promotion's change reaches the target branch: record it, then sync the target at
// once or leave it for a person (per the environment), and follow it to synced and healthy.
import { AppError } from "../errors";
import { startSync } from "../reconcile/manual-sync";
import { isAncestor } from "../git/write-commit";
import { mirrorPath } from "../git/mirror";
import { addEvent } from "./events";
import type { PromotionDeps } from "./deps";

export async function landPromotion(deps: PromotionDeps, promotionId: string, sha: string, actorName: string) {
  const promotion = await deps.prisma.promotion.update({ where: { id: promotionId }, data: { status: "merged", commitSha: sha, mergedAt: new Date(), error: null } });
  const target = await deps.prisma.environment.findUniqueOrThrow({ where: { id: promotion.targetEnvironmentId } });
  if (!target.syncAfterPromotion) {
    await addEvent(deps.prisma, promotionId, "tideline", "waiting_for_sync", `${target.name} syncs when a person presses sync`);
    return promotion;
  }
  await addEvent(deps.prisma, promotionId, actorName, "sync_started", `syncing ${target.name} to ${sha.slice(0, 7)}`);
  void syncWhenFree(deps, target.id, actorName, promotionId);
  return deps.prisma.promotion.update({ where: { id: promotionId }, data: { status: "syncing" } });
}

/** A reconcile scheduled by the push may hold the environment's lease for a moment: retry briefly. */
async function syncWhenFree(deps: PromotionDeps, environmentId: string, actorName: string, promotionId: string) {
  for (let attempt = 0; attempt < 40; attempt += 1) {
    try {
      await startSync(deps, environmentId, { actorName });
      return;
    } catch (e) {
      if (!(e instanceof AppError && e.code === "conflict")) {
        // Recorded; the tracker tries again (see advancePromotions) instead of leaving the promotion syncing forever.
        await addEvent(deps.prisma, promotionId, "tideline", "sync_not_started", (e as Error).message).catch(() => {});
        return;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

const RESTART_SYNC_AFTER_MS = 30_000;

/** Moves landed promotions on: succeeded once the target runs the commit and is healthy; failed when its sync failed. */
export async function advancePromotions(deps: PromotionDeps) {
  const open = await deps.prisma.promotion.findMany({ where: { status: { in: ["merged", "syncing"] }, commitSha: { not: null } }, include: { targetEnvironment: true } });
  for (const p of open) {
    const env = p.targetEnvironment;
    const since = p.mergedAt ?? p.createdAt;
    const lastRun = await deps.prisma.syncRun.findFirst({ where: { environmentId: env.id, startedAt: { gte: since }, dryRun: false }, orderBy: { startedAt: "desc" } });
    if (p.status === "syncing" && !lastRun && Date.now() - since.getTime() > RESTART_SYNC_AFTER_MS) {
      // The sync never started (the lease stayed busy, or a transient error): try again, at most every 30 s.
      const retried = await deps.prisma.promotionEvent.findFirst({ where: { promotionId: p.id, action: "sync_retried", at: { gt: new Date(Date.now() - RESTART_SYNC_AFTER_MS) } } });
      if (!retried) {
        await addEvent(deps.prisma, p.id, "tideline", "sync_retried", `no sync of ${env.name} started yet; starting one`);
        void syncWhenFree(deps, env.id, "tideline", p.id);
      }
      continue;
    }
    if (!env.syncedRevision) continue;
    const gitdir = mirrorPath(deps.mirrorsDir, env.repositoryId);
    // A rollback runs an older commit, which every newer revision descends from: only the exact revision counts.
    const reaches = async (revision: string) => revision === p.commitSha || (p.kind !== "rollback" && (await isAncestor(gitdir, p.commitSha!, revision)));
    const runsIt = await reaches(env.syncedRevision);
    if (runsIt && env.health === "Healthy" && env.syncStatus === "Synced") {
      await deps.prisma.promotion.update({ where: { id: p.id }, data: { status: "succeeded", syncedAt: new Date(), finishedAt: new Date() } });
      await addEvent(deps.prisma, p.id, "tideline", "succeeded", `${env.name} runs ${env.syncedRevision.slice(0, 7)} and is healthy`);
      continue;
    }
    if (runsIt && lastRun?.status === "succeeded" && (!env.lastReconciledAt || Date.now() - env.lastReconciledAt.getTime() > 5_000)) {
      // Synced: re-check health now rather than at the next reconcile interval.
      const { reconciler } = await import("../reconcile/process-reconciler");
      reconciler().schedule(env.id, 0);
    }
    if (lastRun && ["failed", "partial"].includes(lastRun.status) && (await reaches(lastRun.revision))) {
      await deps.prisma.promotion.update({ where: { id: p.id }, data: { status: "failed", error: lastRun.error ?? "sync failed", finishedAt: new Date() } });
      await addEvent(deps.prisma, p.id, "tideline", "failed", `sync of ${env.name} failed: ${lastRun.error ?? lastRun.status}`);
    }
  }
}

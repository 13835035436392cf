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
  void syncWhenFree(deps, target.id, actorName);
  return deps.prisma.promotion.update({ where: { id: promotionId }, data: { status: "syncing" } });
}

/** A reconcile scheduled by the push may hold the environment's lease for a moment: retry briefly. */
async function syncWhenFree(deps: PromotionDeps, environmentId: string, actorName: string) {
  for (let attempt = 0; attempt < 40; attempt += 1) {
    try {
      await startSync(deps, environmentId, { actorName });
      return;
    } catch (e) {
      if (!(e instanceof AppError && e.code === "conflict")) return;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Moves landed promotions on: succeeded once the target runs the commit and is healthy; failed when its sync failed. */
export async function advancePromotions(deps: PromotionDeps) {
  const open = await deps.prisma.promotion.findMany({ where: { status: { in: ["merged", "syncing"] }, commitSha: { not: null } }, include: { targetEnvironment: true } });
  for (const p of open) {
    const env = p.targetEnvironment;
    if (!env.syncedRevision) continue;
    const gitdir = mirrorPath(deps.mirrorsDir, env.repositoryId);
    const runsIt = env.syncedRevision === p.commitSha || (await isAncestor(gitdir, p.commitSha!, env.syncedRevision));
    if (runsIt && env.health === "Healthy" && env.syncStatus === "Synced") {
      await deps.prisma.promotion.update({ where: { id: p.id }, data: { status: "succeeded", syncedAt: new Date(), finishedAt: new Date() } });
      await addEvent(deps.prisma, p.id, "tideline", "succeeded", `${env.name} runs ${env.syncedRevision.slice(0, 7)} and is healthy`);
      continue;
    }
    const lastRun = await deps.prisma.syncRun.findFirst({ where: { environmentId: env.id, startedAt: { gte: p.mergedAt ?? p.createdAt }, dryRun: false }, orderBy: { startedAt: "desc" } });
    if (lastRun && ["failed", "partial"].includes(lastRun.status) && (lastRun.revision === p.commitSha || (await isAncestor(gitdir, p.commitSha!, lastRun.revision)))) {
      await deps.prisma.promotion.update({ where: { id: p.id }, data: { status: "failed", error: lastRun.error ?? "sync failed", finishedAt: new Date() } });
      await addEvent(deps.prisma, p.id, "tideline", "failed", `sync of ${env.name} failed: ${lastRun.error ?? lastRun.status}`);
    }
  }
}

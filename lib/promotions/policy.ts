// Promotion rules checked at preview and again at every step: same application, a source fit
// to promote from (synced, healthy, soaked; warn or block per policy), one promotion at a time.
import type { Environment } from "../generated/prisma/client";
import { AppError } from "../errors";

export const ACTIVE_STATUSES = ["proposed", "awaiting_approval", "approved", "merged", "syncing"] as const;

export function sourceReadiness(source: Environment, target: Environment, now = new Date()) {
  const warnings: string[] = [];
  if (source.syncStatus !== "Synced") warnings.push(`${source.name} is ${source.syncStatus}: what it runs may not be what Git says`);
  if (source.health !== "Healthy") warnings.push(`${source.name} is ${source.health}`);
  if (source.syncHold) warnings.push(`${source.name} is held at ${source.syncHoldRevision?.slice(0, 7)} after a rollback`);
  const blockers: string[] = [];
  if (target.unhealthySourcePolicy === "block") blockers.push(...warnings);
  if (target.soakMinutes > 0) {
    const soakedMs = source.healthySince ? now.getTime() - source.healthySince.getTime() : 0;
    const needMs = target.soakMinutes * 60_000;
    if (soakedMs < needMs) {
      const had = Math.floor(soakedMs / 60_000);
      blockers.push(`${target.name} requires ${source.name} to be synced and healthy for ${target.soakMinutes} min first (so far ${had} min)`);
    }
  }
  return { warnings, blockers };
}

export function assertSamePipeline(source: Environment, target: Environment) {
  if (source.id === target.id) throw new AppError("invalid", "Source and target are the same environment");
  if (source.applicationId !== target.applicationId) throw new AppError("invalid", `${source.name} and ${target.name} belong to different applications`);
}

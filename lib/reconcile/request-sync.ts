// "Sync this environment": records what was asked as a queued SyncRun and wakes the environment's
// job. The caller answers at once with the run's id; a worker runs it (see environment-work.ts).
import type { PrismaClient } from "../generated/prisma/client";
import type { Prisma } from "../generated/prisma/client";
import { conflict, invalid, notFound } from "../errors";
import type { JobQueue } from "../jobs/types";
import { headRevision } from "./desired";
import { assertNotFrozen, type FreezeOverride } from "../freeze/status";

export interface SyncAsk {
  actorName: string;
  /** An admin syncing inside a freeze window, with a reason (audited). */
  freezeOverride?: FreezeOverride | null;
  trigger?: "manual" | "rollback";
  /** Only these objects (ids from drift.idOf); all when absent. */
  only?: string[];
  /** The revision the person previewed: the sync refuses to run if Git moved since. */
  expectedRevision?: string;
  /** Sync exactly this revision (a rollback, or the commit a promotion landed); the branch head otherwise. */
  revision?: string;
  /** The promotion this sync lands, followed to synced and healthy. */
  promotionId?: string;
  /** Prune (true) or keep (false) objects removed from Git for this sync only; the environment's setting otherwise. */
  prune?: boolean;
}

export async function requestSync(deps: { prisma: PrismaClient; jobs: JobQueue }, environmentId: string, ask: SyncAsk): Promise<{ runId: string }> {
  const env = await deps.prisma.environment.findUnique({ where: { id: environmentId } });
  if (!env) throw notFound(`Environment ${environmentId} does not exist`);
  if (ask.trigger !== "rollback" && !ask.promotionId) await assertNotFrozen(deps.prisma, environmentId, "sync", ask.freezeOverride);
  if (env.detectOnly) throw invalid(`Environment ${env.name} is in detect-only mode: Tideline reports drift but does not sync it`);
  if (ask.expectedRevision && !ask.revision) {
    const now = env.syncHold && env.syncHoldRevision ? env.syncHoldRevision : await headRevision(deps.prisma, env);
    if (now !== ask.expectedRevision) throw conflict(`Git moved since the preview (now at ${now.slice(0, 7)}); review the new preview before syncing`);
  }
  const run = await deps.prisma.syncRun.create({
    data: {
      environmentId,
      trigger: ask.trigger ?? "manual",
      actorName: ask.actorName,
      status: "queued",
      revision: ask.revision ?? ask.expectedRevision ?? "",
      pinnedRevision: ask.revision ?? null,
      expectedRevision: ask.expectedRevision ?? null,
      only: ask.only?.length ? (ask.only as Prisma.InputJsonValue) : undefined,
      promotionId: ask.promotionId ?? null,
      prune: ask.prune ?? env.prune,
    },
  });
  await deps.jobs.send("environment.work", { environmentId, reason: `sync run ${run.id}` });
  return { runId: run.id };
}

// Turns what happened elsewhere (a sync finished, an environment's health or drift changed, a
// promotion stepped on, an image update was written) into notification events. Each function is
// the one call its domain makes; dedupe keys make a retried job emit nothing twice.
import type { Environment, Prisma, PrismaClient } from "../generated/prisma/client";
import { emitEvent } from "./emit";

type Db = PrismaClient | Prisma.TransactionClient;

const envLabel = async (db: Db, environmentId: string) => {
  const env = await db.environment.findUnique({
    where: { id: environmentId },
    select: { name: true, applicationId: true, application: { select: { name: true } } },
  });
  return env ? { name: `${env.application.name}/${env.name}`, applicationId: env.applicationId } : null;
};

/** After a sync run ends (the syncRun.finished domain event): failed syncs, and finished rollbacks. */
export async function noteSyncFinished(prisma: PrismaClient, syncRunId: string) {
  const run = await prisma.syncRun.findUnique({ where: { id: syncRunId } });
  if (!run) return null;
  const env = await envLabel(prisma, run.environmentId);
  if (!env) return null;
  const link = `/environments/${run.environmentId}`;
  if (["failed", "partial", "degraded"].includes(run.status) && run.trigger !== "rollback") {
    return emitEvent(prisma, {
      type: "sync.failed",
      environmentId: run.environmentId,
      applicationId: env.applicationId,
      link,
      dedupeKey: `sync.failed:${run.id}`,
      title: `Sync of ${env.name} ${run.status} at ${run.revision.slice(0, 7) || "head"}`,
      body: run.error ?? "",
      data: { syncRunId: run.id, status: run.status, trigger: run.trigger, actor: run.actorName },
    });
  }
  // A rollback through a promotion (every one requestRollback makes) notifies when that promotion finishes: once, not twice.
  if (run.trigger === "rollback" && !run.promotionId) {
    return emitEvent(prisma, {
      type: "rollback.done",
      environmentId: run.environmentId,
      applicationId: env.applicationId,
      link,
      dedupeKey: `rollback.done:${run.id}`,
      title: `${env.name} rolled back to ${run.revision.slice(0, 7)} (${run.status})`,
      body: run.error ?? `by ${run.actorName}; auto-sync is held until the revert change request merges`,
      data: { syncRunId: run.id, status: run.status, actor: run.actorName },
    });
  }
  return null;
}

/** After a reconcile stored its verdict: health became Degraded, or drift appeared while auto-sync is off. */
export async function noteEnvironmentChange(prisma: PrismaClient, before: Environment) {
  const after = await prisma.environment.findUnique({ where: { id: before.id } });
  if (!after) return;
  const label = `${after.name}`;
  const stamp = (after.lastReconciledAt ?? new Date()).toISOString();
  if (after.health === "Degraded" && before.health !== "Degraded") {
    const env = await envLabel(prisma, after.id);
    await emitEvent(prisma, {
      type: "health.degraded",
      environmentId: after.id,
      applicationId: after.applicationId,
      link: `/environments/${after.id}`,
      dedupeKey: `health.degraded:${after.id}:${stamp}`,
      title: `${env?.name ?? label} is Degraded`,
      body: after.lastError ?? "",
      data: { previous: before.health },
    });
  }
  if (!after.autoSync && after.syncStatus === "OutOfSync" && before.syncStatus === "Synced") {
    const env = await envLabel(prisma, after.id);
    await emitEvent(prisma, {
      type: "drift.detected",
      environmentId: after.id,
      applicationId: after.applicationId,
      link: `/environments/${after.id}`,
      dedupeKey: `drift.detected:${after.id}:${stamp}`,
      title: `${env?.name ?? label} drifted from Git (${after.outOfSyncCount} object(s) out of sync)`,
      body: "Auto-sync is off: review the diff and sync.",
      data: { outOfSync: after.outOfSyncCount },
    });
  }
}

const FINISHED = ["succeeded", "failed", "landed_degraded", "rejected"];
/** The promotion steps that may notify (the timeline writes only these in a transaction with their event). */
export const notifiesOn = (action: string) => action === "change_request_opened" || FINISHED.includes(action);

/** Called by the promotion timeline (lib/promotions/events.ts) inside the same transaction as the step. */
export async function notePromotionStep(tx: Prisma.TransactionClient, promotionId: string, action: string, detail?: string) {
  if (!notifiesOn(action)) return;
  const p = await tx.promotion.findUnique({
    where: { id: promotionId },
    include: { targetEnvironment: { include: { application: true } }, sourceEnvironment: true },
  });
  if (!p) return;
  const target = `${p.targetEnvironment.application.name}/${p.targetEnvironment.name}`;
  const base = {
    environmentId: p.targetEnvironmentId,
    applicationId: p.applicationId,
    projectId: p.targetEnvironment.application.projectId,
    link: `/promotions/${p.id}`,
    data: { promotionId: p.id, kind: p.kind, action },
  };
  if (action === "change_request_opened") {
    if (p.kind === "rollback" || p.requiredApprovals === 0) return;
    const recipients = await approversOf(tx, p.applicationId, p.targetEnvironment.application.projectId, p.authorId);
    await emitEvent(tx, {
      ...base,
      type: "promotion.awaiting_approval",
      dedupeKey: `promotion.awaiting_approval:${p.id}`,
      recipients,
      title: `Promotion into ${target} awaits your approval`,
      body: `${p.authorName} promotes ${p.sourceEnvironment?.name ?? "a release"} to ${p.targetEnvironment.name} (${p.requiredApprovals} approval(s) required)`,
    });
    return;
  }
  if (p.kind === "rollback") {
    if (action === "succeeded" || action === "failed")
      await emitEvent(tx, {
        ...base,
        type: "rollback.done",
        dedupeKey: `rollback.done:promotion:${p.id}`,
        title: `Rollback of ${target} ${action}`,
        body: detail ?? "",
      });
    return;
  }
  const recipients = p.authorId ? [p.authorId] : [];
  await emitEvent(tx, {
    ...base,
    type: "promotion.finished",
    dedupeKey: `promotion.finished:${p.id}`,
    recipients,
    title: `Promotion into ${target} ${action.replace("_", " ")}`,
    body: detail ?? "",
  });
}

/** Users who may approve on this application (global, project or application role approver+), never the author. */
export async function approversOf(db: Db, applicationId: string, projectId: string, authorId: string | null): Promise<string[]> {
  const strong = { in: ["approver", "admin"] as Array<"approver" | "admin"> };
  const users = await db.user.findMany({
    where: {
      disabled: false,
      ...(authorId ? { id: { not: authorId } } : {}),
      OR: [{ role: strong }, { roleBindings: { some: { applicationId, role: strong } } }, { projectRoleBindings: { some: { projectId, role: strong } } }],
    },
    select: { id: true },
    take: 500,
  });
  return users.map((u) => u.id);
}

interface WrittenUpdate {
  environmentId: string;
  environment: string;
  application: string;
  status: string;
  from?: string | null;
  to?: string;
  updateId?: string;
  commitSha?: string;
  changeRequestNumber?: number;
}

/** After an image policy check: one event per environment the new tag was written to. */
export async function noteImageUpdates(prisma: PrismaClient, policy: { id: string; name: string; image: string }, outcomes: WrittenUpdate[]) {
  for (const o of outcomes) {
    if (o.status !== "committed" && o.status !== "change_request") continue;
    const how = o.status === "committed" ? `committed ${o.commitSha?.slice(0, 7) ?? ""}` : `change request #${o.changeRequestNumber ?? "?"} opened`;
    await emitEvent(prisma, {
      type: "image.updated",
      environmentId: o.environmentId,
      link: `/environments/${o.environmentId}`,
      dedupeKey: `image.updated:${o.updateId ?? o.environmentId}:${o.commitSha ?? o.to}`,
      title: `${policy.image} ${o.from ? `${o.from} -> ` : ""}${o.to} in ${o.application}/${o.environment}`,
      body: `Policy ${policy.name}: ${how}`,
      data: { policyId: policy.id, tag: o.to ?? null, commitSha: o.commitSha ?? null },
    });
  }
}

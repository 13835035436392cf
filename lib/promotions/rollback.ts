// One-click rollback: sync an environment to an earlier successful revision at once, hold
// auto-sync there (so the bad commit is not redeployed) and open a revert change request so
// Git becomes the truth again; merging it releases the hold. Protected environments need
// the same approvals as promotions, with an audited emergency override for admins.
import type { Environment } from "../generated/prisma/client";
import { AppError } from "../errors";
import { mirrorPath } from "../git/mirror";
import { changedFiles, isAncestor, runGitRaw, type FileEdit } from "../git/write-commit";
import { mirrorHead } from "../repositories/write-branch";
import { proposeChange, signatureOf } from "../changes/propose-change";
import { requestSync } from "../reconcile/request-sync";
import { addEvent } from "./events";
import type { PromotionActor, PromotionDeps } from "./deps";
import { ACTIVE_STATUSES } from "./policy";
import { readFiles } from "./source-files";

export async function rollbackTargets(deps: PromotionDeps, environmentId: string) {
  const env = await deps.prisma.environment.findUnique({ where: { id: environmentId } });
  if (!env) throw new AppError("not_found", `Environment ${environmentId} does not exist`);
  const runs = await deps.prisma.syncRun.findMany({ where: { environmentId, status: "succeeded", dryRun: false }, orderBy: { startedAt: "desc" }, take: 100 });
  const gitdir = mirrorPath(deps.mirrorsDir, env.repositoryId);
  const head = await mirrorHead(gitdir, env.branch);
  const seen = new Set<string>();
  const targets = [];
  for (const run of runs) {
    if (seen.has(run.revision)) continue;
    seen.add(run.revision);
    const availability = await revisionAvailability(gitdir, run.revision, head, env.branch);
    const subject = await runGitRaw(gitdir, ["log", "-1", "--format=%s", run.revision]);
    targets.push({
      syncRunId: run.id,
      revision: run.revision,
      startedAt: run.startedAt,
      actorName: run.actorName,
      trigger: run.trigger,
      subject: subject.code === 0 ? subject.stdout.trim() : null,
      current: run.revision === env.syncedRevision,
      ...availability,
    });
  }
  return targets;
}

async function revisionAvailability(gitdir: string, revision: string, head: string | null, branch: string) {
  const exists = (await runGitRaw(gitdir, ["cat-file", "-e", `${revision}^{commit}`])).code === 0;
  if (!exists) return { available: false, reason: `${revision.slice(0, 7)} is no longer in the repository (history rewritten)` };
  if (!head || !(await isAncestor(gitdir, revision, head)))
    return { available: false, reason: `${revision.slice(0, 7)} is no longer in the history of ${branch} (force-pushed away)` };
  return { available: true, reason: null };
}

export async function requestRollback(
  deps: PromotionDeps,
  actor: PromotionActor,
  environmentId: string,
  input: { syncRunId: string; emergency?: boolean; reason?: string },
) {
  const env = await deps.prisma.environment.findUnique({ where: { id: environmentId } });
  if (!env) throw new AppError("not_found", `Environment ${environmentId} does not exist`);
  const run = await deps.prisma.syncRun.findUnique({ where: { id: input.syncRunId } });
  if (!run || run.environmentId !== env.id) throw new AppError("not_found", `Sync ${input.syncRunId} is not in ${env.name}'s history`);
  if (run.status !== "succeeded" || run.dryRun) throw new AppError("invalid", `Sync ${run.id} did not succeed; roll back to a successful sync`);
  const gitdir = mirrorPath(deps.mirrorsDir, env.repositoryId);
  const head = await mirrorHead(gitdir, env.branch);
  const availability = await revisionAvailability(gitdir, run.revision, head, env.branch);
  if (!availability.available) throw new AppError("conflict", `Cannot roll back: ${availability.reason}; choose another sync`);
  if (input.emergency && !input.reason?.trim()) throw new AppError("invalid", "reason: an emergency rollback needs a reason", { field: "reason" });

  const promotion = await deps.prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Environment" WHERE id = ${env.id} FOR UPDATE`;
    const active = await tx.promotion.findFirst({
      where: { targetEnvironmentId: env.id, status: { in: [...ACTIVE_STATUSES] } },
      select: { id: true, status: true, kind: true },
    });
    if (active)
      throw new AppError("conflict", `A ${active.kind} into ${env.name} is ${active.status.replace("_", " ")}; finish or reject it first`, {
        promotionId: active.id,
      });
    return tx.promotion.create({
      data: {
        kind: "rollback",
        applicationId: env.applicationId,
        targetEnvironmentId: env.id,
        strategy: "rollback",
        sourceRevision: run.revision,
        targetBaseRevision: head!,
        previewHash: run.id,
        summary: { syncRunId: run.id, revision: run.revision, title: `Roll back ${env.name} to ${run.revision.slice(0, 7)}` },
        requiredApprovals: env.requiredApprovals,
        authorId: actor.id,
        authorName: actor.username,
      },
    });
  });
  await addEvent(deps.prisma, promotion.id, actor.username, "created", `roll back ${env.name} to ${run.revision.slice(0, 7)}`);
  if (env.requiredApprovals > 0 && !input.emergency) {
    return deps.prisma.promotion.update({ where: { id: promotion.id }, data: { status: "awaiting_approval" } });
  }
  if (input.emergency) {
    await deps.prisma.approval.create({
      data: { promotionId: promotion.id, userId: actor.id, userName: actor.username, decision: "approved", comment: input.reason!, override: true },
    });
    await addEvent(deps.prisma, promotion.id, actor.username, "emergency_override", input.reason);
  }
  return executeRollback(deps, actor, promotion.id);
}

export async function executeRollback(deps: PromotionDeps, actor: PromotionActor, promotionId: string) {
  const p = await deps.prisma.promotion.findUniqueOrThrow({ where: { id: promotionId }, include: { targetEnvironment: true } });
  const env = p.targetEnvironment;
  const revision = p.sourceRevision!;
  await deps.prisma.environment.update({
    where: { id: env.id },
    data: {
      syncHold: true,
      syncHoldRevision: revision,
      syncHoldReason: `Rolled back to ${revision.slice(0, 7)} by ${actor.username}; auto-sync is held until the revert change request merges`,
    },
  });
  await deps.prisma.promotion.update({ where: { id: p.id }, data: { status: "syncing", commitSha: revision, mergedAt: new Date() } });
  const { runId } = await requestSync(deps, env.id, { actorName: actor.username, trigger: "rollback", revision, promotionId: p.id });
  await addEvent(deps.prisma, p.id, actor.username, "sync_started", `syncing ${env.name} to ${revision.slice(0, 7)} (run ${runId}); auto-sync held`);

  try {
    const cr = await openRevert(deps, actor, env, revision);
    if (cr) {
      await deps.prisma.environment.update({ where: { id: env.id }, data: { syncHoldChangeRequestId: cr.id } });
      await deps.prisma.promotion.update({ where: { id: p.id }, data: { changeRequestId: cr.id } });
      await addEvent(deps.prisma, p.id, actor.username, "change_request_opened", `revert #${cr.number}: merging it releases the hold`);
    } else {
      await addEvent(
        deps.prisma,
        p.id,
        "tideline",
        "no_revert_needed",
        `${env.name}'s folder already matches ${revision.slice(0, 7)} on ${env.branch}; release the hold once Git is right`,
      );
    }
  } catch (e) {
    // The rollback itself stands (the cluster is being restored); only the revert needs attention.
    await addEvent(deps.prisma, p.id, "tideline", "revert_failed", e instanceof AppError ? e.message : (e as Error).message);
  }
  return deps.prisma.promotion.findUniqueOrThrow({ where: { id: p.id } });
}

/** Edits that restore the environment's folder (and Helm values files) to `revision`. */
export async function restoreEdits(gitdir: string, env: Pick<Environment, "path" | "helmValuesFiles">, head: string, revision: string) {
  const inScope = (p: string) => env.path === "" || p.startsWith(`${env.path}/`) || env.helmValuesFiles.includes(p);
  // Direction revision -> head: "added" files did not exist at the revision, so the revert deletes them.
  const changed = await changedFiles(gitdir, revision, head);
  const scoped = changed.filter((f) => inScope(f.path));
  const outside = changed.filter((f) => !inScope(f.path)).map((f) => f.path);
  const old = await readFiles(
    gitdir,
    revision,
    scoped.filter((f) => f.change !== "added").map((f) => f.path),
  );
  const edits: FileEdit[] = [];
  for (const f of scoped) {
    if (f.change === "added") edits.push({ path: f.path, content: null });
    else if (old.has(f.path)) edits.push({ path: f.path, content: old.get(f.path)! });
    else outside.push(f.path); // binary or huge: listed for a person to restore
  }
  return { edits, outside };
}

async function openRevert(deps: PromotionDeps, actor: PromotionActor, env: Environment, revision: string) {
  const gitdir = mirrorPath(deps.mirrorsDir, env.repositoryId);
  const head = await mirrorHead(gitdir, env.branch);
  if (!head || head === revision) return null;
  const { edits, outside } = await restoreEdits(gitdir, env, head, revision);
  if (edits.length === 0) return null;
  const body = [
    `${env.name} was rolled back to ${revision} by ${actor.username}. This change makes Git match what runs, so auto-sync can resume safely.`,
    outside.length
      ? `\nFiles outside ${env.path || "the repository root"} also changed since then and are NOT reverted (they may be shared with other environments):\n${outside.map((p) => `- ${p}`).join("\n")}`
      : "",
  ].join("\n");
  // The revert changes what the branch renders like any other change: protected environments it changes need their approvals.
  // Tideline's own rollbacks (lib/verification) have no user row to author the change.
  const author = actor.id === "tideline" ? { ...actor, id: null } : actor;
  return proposeChange(deps, author, {
    repositoryId: env.repositoryId,
    baseBranch: env.branch,
    baseSha: head,
    title: `Revert ${env.name} to ${revision.slice(0, 7)}`,
    body,
    edits,
    kind: "rollback",
  });
}

export async function releaseHold(deps: PromotionDeps, actor: PromotionActor, environmentId: string) {
  const env = await deps.prisma.environment.findUnique({ where: { id: environmentId } });
  if (!env) throw new AppError("not_found", `Environment ${environmentId} does not exist`);
  if (!env.syncHold) throw new AppError("conflict", `${env.name} has no sync hold`);
  await deps.prisma.environment.update({
    where: { id: env.id },
    data: { syncHold: false, syncHoldReason: null, syncHoldRevision: null, syncHoldChangeRequestId: null },
  });
  return { released: true, by: actor.username };
}

export { signatureOf };

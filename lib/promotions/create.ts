// Starting a promotion from a confirmed preview: refuse stale previews and concurrent
// promotions into the same environment; commit directly, or open a change request when
// the target is protected.
import type { Prisma } from "../generated/prisma/client";
import { AppError } from "../errors";
import { signatureOf } from "../changes/propose-change";
import { openChangeForBranch, proposeChange } from "../changes/propose-change";
import { commitToBranch, pushCommit } from "../repositories/write-branch";
import { addEvent } from "./events";
import { ACTIVE_STATUSES } from "./policy";
import { previewPromotion, type PromotionPreview } from "./preview";
import type { PromotionActor, PromotionDeps } from "./deps";
import { landPromotion } from "./land";
import { assertNotFrozen, type FreezeOverride } from "../freeze/status";

export interface CreatePromotionInput {
  sourceEnvironmentId: string;
  targetEnvironmentId: string;
  previewHash: string;
  /** The person saw the warnings (unhealthy or out-of-sync source) and promotes anyway. */
  acknowledgeWarnings?: boolean;
  /** An admin promoting inside a freeze window, with a reason (audited). */
  freezeOverride?: FreezeOverride | null;
}

function describe(preview: PromotionPreview): string {
  const lines = [
    `Source: ${preview.source.name} at ${preview.sourceRevision.slice(0, 7)}`,
    `Target: ${preview.target.name} (${preview.target.branch})`,
    `Strategy: ${preview.strategy}`,
  ];
  if (preview.images.length) lines.push("", "Images:", ...preview.images.map((i) => `- ${i.name}: ${i.from ?? "(none)"} -> ${i.to}`));
  return lines.join("\n");
}

export async function createPromotion(deps: PromotionDeps, actor: PromotionActor, input: CreatePromotionInput) {
  await assertNotFrozen(deps.prisma, input.targetEnvironmentId, "promotion", input.freezeOverride);
  const preview = await previewPromotion(deps, input.sourceEnvironmentId, input.targetEnvironmentId, signatureOf(actor));
  if (preview.previewHash !== input.previewHash) {
    throw new AppError("conflict", `${preview.source.name} or ${preview.target.name} changed since the preview; review the new preview before promoting`, {
      stale: true,
    });
  }
  if (preview.blockers.length) throw new AppError("conflict", `Promotion blocked: ${preview.blockers.join("; ")}`, { blockers: preview.blockers });
  if (preview.warnings.length && !input.acknowledgeWarnings) {
    throw new AppError("conflict", `Confirm to promote despite: ${preview.warnings.join("; ")}`, { warnings: preview.warnings });
  }
  const target = await deps.prisma.environment.findUniqueOrThrow({ where: { id: input.targetEnvironmentId } });
  const body = describe(preview);
  const summary = {
    images: preview.images,
    files: preview.files.map((f) => ({ path: f.path, change: f.change })),
    warnings: preview.warnings,
    title: preview.title,
  } as Prisma.InputJsonValue;

  // The row lock on the target makes "one promotion into an environment at a time" hold across processes.
  const promotion = await deps.prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Environment" WHERE id = ${target.id} FOR UPDATE`;
    const active = await tx.promotion.findFirst({
      where: { targetEnvironmentId: target.id, status: { in: [...ACTIVE_STATUSES] } },
      select: { id: true, status: true },
    });
    if (active)
      throw new AppError("conflict", `Another promotion into ${target.name} is ${active.status.replace("_", " ")}; finish or reject it first`, {
        promotionId: active.id,
      });
    return tx.promotion.create({
      data: {
        applicationId: target.applicationId,
        sourceEnvironmentId: input.sourceEnvironmentId,
        targetEnvironmentId: target.id,
        strategy: preview.strategy,
        sourceRevision: preview.sourceRevision,
        targetBaseRevision: preview.targetBaseRevision,
        previewHash: preview.previewHash,
        summary,
        requiredApprovals: target.requiredApprovals,
        authorId: actor.id,
        authorName: actor.username,
      },
    });
  });
  await addEvent(deps.prisma, promotion.id, actor.username, "created", preview.title);

  try {
    if (target.requiredApprovals > 0) {
      const cr =
        preview.strategy === "branch"
          ? await openChangeForBranch(deps, actor, {
              repositoryId: target.repositoryId,
              baseBranch: target.branch,
              headBranch: (await deps.prisma.environment.findUniqueOrThrow({ where: { id: input.sourceEnvironmentId } })).branch,
              title: preview.title,
              body,
              kind: "promotion",
              requiredReviews: target.requiredApprovals,
            })
          : await proposeChange(deps, actor, {
              repositoryId: target.repositoryId,
              baseBranch: target.branch,
              baseSha: preview.targetBaseRevision,
              title: preview.title,
              body,
              edits: preview.edits!,
              kind: "promotion",
              requiredReviews: target.requiredApprovals,
            });
      await addEvent(deps.prisma, promotion.id, actor.username, "change_request_opened", `#${cr.number} (${target.requiredApprovals} approval(s) required)`);
      return deps.prisma.promotion.update({ where: { id: promotion.id }, data: { status: "awaiting_approval", changeRequestId: cr.id } });
    }
    const sha =
      preview.strategy === "branch"
        ? await pushMerge(deps, target, preview)
        : (
            await commitToBranch(deps, {
              repositoryId: target.repositoryId,
              branch: target.branch,
              baseSha: preview.targetBaseRevision,
              edits: preview.edits!,
              message: `${preview.title}\n\n${body}`,
              author: signatureOf(actor),
            })
          ).sha;
    await addEvent(deps.prisma, promotion.id, actor.username, "committed", sha);
    return await landPromotion(deps, promotion.id, sha, actor.username);
  } catch (e) {
    const message = e instanceof AppError ? e.message : (e as Error).message;
    await deps.prisma.promotion.update({ where: { id: promotion.id }, data: { status: "failed", error: message, finishedAt: new Date() } });
    await addEvent(deps.prisma, promotion.id, "tideline", "failed", message);
    throw e;
  }
}

async function pushMerge(deps: PromotionDeps, target: { repositoryId: string; branch: string; name: string }, preview: PromotionPreview) {
  const pushed = await pushCommit(deps, {
    repositoryId: target.repositoryId,
    branch: target.branch,
    sha: preview.commit,
    expected: preview.targetBaseRevision,
  });
  if (pushed.status === "stale")
    throw new AppError("conflict", `Branch "${target.branch}" of ${target.name} moved since the preview; preview again`, { stale: true });
  return preview.commit;
}

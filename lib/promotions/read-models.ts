// Read models for the promotion pages: an application's pipeline (what each environment runs,
// what each arrow would move), the approver inbox, and one promotion with its timeline.
import { verificationOfPromotion } from "../verification/read";
import { AppError } from "../errors";
import type { ReconcileDeps } from "../reconcile/reconcile-environment";
import { mirrorPath } from "../git/mirror";
import { mirrorHead } from "../repositories/write-branch";
import { environmentRelease, imageDifferences, type EnvironmentRelease } from "./environment-state";
import { imageMoves, type ImageMoves } from "./image-moves";
import { ACTIVE_STATUSES } from "./policy";

export async function getPipeline(deps: ReconcileDeps, applicationId: string) {
  const app = await deps.prisma.application.findUnique({
    where: { id: applicationId },
    include: { environments: { orderBy: { position: "asc" }, include: { cluster: { select: { name: true } } } } },
  });
  if (!app) throw new AppError("not_found", `Application ${applicationId} does not exist`);
  const active = await deps.prisma.promotion.findMany({
    where: { applicationId, status: { in: [...ACTIVE_STATUSES] } },
    select: { id: true, kind: true, status: true, targetEnvironmentId: true, sourceEnvironmentId: true },
  });
  const releases = await Promise.all(app.environments.map((e) => environmentRelease(deps, e)));
  const stages = app.environments.map((e, i) => ({
    id: e.id,
    name: e.name,
    cluster: e.cluster.name,
    namespace: e.namespace,
    branch: e.branch,
    path: e.path,
    revision: releases[i]!.revision,
    syncedRevision: e.syncedRevision,
    desiredRevision: e.desiredRevision,
    syncStatus: e.syncStatus,
    health: e.health,
    healthySince: e.healthySince,
    images: releases[i]!.images.map((img) => ({ image: img.image, name: img.name, tag: img.tag ?? null, digest: img.digest ?? null })),
    chartVersion: releases[i]!.chartVersion,
    renderError: releases[i]!.renderError,
    protected: e.requiredApprovals > 0,
    requiredApprovals: e.requiredApprovals,
    soakMinutes: e.soakMinutes,
    promotionStrategy: e.promotionStrategy,
    syncHold: e.syncHold,
    syncHoldReason: e.syncHoldReason,
    syncHoldRevision: e.syncHoldRevision,
    syncHoldChangeRequestId: e.syncHoldChangeRequestId,
    activePromotion: active.find((p) => p.targetEnvironmentId === e.id) ?? null,
  }));
  const moves = await Promise.all(app.environments.slice(1).map((target, i) => arrowMoves(deps, releases[i]!, releases[i + 1]!, target)));
  const arrows = stages.slice(1).map((to, i) => {
    const from = stages[i]!;
    const { images, notPromotable } = moves[i]!;
    return {
      sourceId: from.id,
      targetId: to.id,
      images,
      notPromotable,
      revisionDiffers: from.revision !== to.revision,
      chartFrom: to.chartVersion,
      chartTo: from.chartVersion,
      inSync: images.length === 0 && notPromotable.length === 0 && from.chartVersion === to.chartVersion,
    };
  });
  return { application: { id: app.id, name: app.name }, stages, arrows };
}

/**
 * What the arrow into `target` shows: for the images strategy exactly what Promote would write into
 * the target branch's sources (and what it cannot, with why); otherwise the images that differ.
 */
async function arrowMoves(
  deps: ReconcileDeps,
  source: EnvironmentRelease,
  target: EnvironmentRelease,
  env: Parameters<typeof imageMoves>[2],
): Promise<Omit<ImageMoves, "edits">> {
  const differing = () => ({ images: imageDifferences(source.images, target.images).map(({ name, from, to }) => ({ name, from, to })), notPromotable: [] });
  if (env.promotionStrategy !== "images" || source.renderError) return differing();
  try {
    const head = await mirrorHead(mirrorPath(deps.mirrorsDir, env.repositoryId), env.branch);
    if (!head) return differing();
    const { images, notPromotable } = await imageMoves(deps, source, env, head);
    return { images, notPromotable };
  } catch {
    return differing(); // the target's sources do not parse: the preview names the file
  }
}

export async function listPromotions(
  deps: Pick<ReconcileDeps, "prisma">,
  query: { applicationId?: string; status?: string; inboxFor?: { id: string; username: string }; environmentId?: string; limit?: number },
) {
  const rows = await deps.prisma.promotion.findMany({
    where: {
      ...(query.applicationId ? { applicationId: query.applicationId } : {}),
      ...(query.environmentId ? { targetEnvironmentId: query.environmentId } : {}),
      ...(query.status ? { status: query.status as never } : {}),
      // The inbox: waiting for approval, not started by me, and I have not decided yet.
      ...(query.inboxFor
        ? { status: "awaiting_approval" as const, NOT: { authorName: query.inboxFor.username }, approvals: { none: { userId: query.inboxFor.id } } }
        : {}),
    },
    orderBy: { createdAt: "desc" },
    take: Math.min(query.limit ?? 50, 200),
    include: {
      targetEnvironment: { select: { name: true, application: { select: { name: true } } } },
      sourceEnvironment: { select: { name: true } },
      approvals: { select: { userName: true, decision: true } },
      changeRequest: { select: { id: true, number: true } },
    },
  });
  return rows.map((p) => ({
    id: p.id,
    kind: p.kind,
    status: p.status,
    application: p.targetEnvironment.application.name,
    applicationId: p.applicationId,
    source: p.sourceEnvironment?.name ?? null,
    target: p.targetEnvironment.name,
    targetEnvironmentId: p.targetEnvironmentId,
    title: (p.summary as { title?: string }).title ?? null,
    authorName: p.authorName,
    createdAt: p.createdAt,
    requiredApprovals: p.requiredApprovals,
    approvals: p.approvals.filter((a) => a.decision === "approved").length,
    rejections: p.approvals.filter((a) => a.decision === "rejected").length,
    changeRequest: p.changeRequest,
    error: p.error,
  }));
}

export async function getPromotion(deps: Pick<ReconcileDeps, "prisma">, id: string) {
  const p = await deps.prisma.promotion.findUnique({
    where: { id },
    include: {
      targetEnvironment: {
        select: {
          id: true,
          name: true,
          branch: true,
          repositoryId: true,
          syncStatus: true,
          health: true,
          syncedRevision: true,
          application: { select: { id: true, name: true } },
        },
      },
      sourceEnvironment: { select: { id: true, name: true } },
      approvals: { orderBy: { createdAt: "asc" } },
      events: { orderBy: { at: "asc" } },
      changeRequest: { select: { id: true, number: true, status: true, headBranch: true, externalUrl: true } },
    },
  });
  if (!p) throw new AppError("not_found", `Promotion ${id} does not exist`);
  return { ...p, verification: await verificationOfPromotion(deps.prisma, id) };
}

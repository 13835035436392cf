// Cancelling a promotion (or a rollback waiting for approval): the only way its change request
// closes, so a promotion is never left waiting on a change request someone closed. Its author,
// an approver of the application or an admin may cancel; the change request is closed with it.
import { z } from "zod";
import { AppError } from "../errors";
import { effectiveRole } from "../auth/application-roles";
import { hasRole, type RoleName } from "../auth/roles";
import { closeChange } from "../changes/review-change";
import { addEvent } from "./events";
import type { PromotionActor, PromotionDeps } from "./deps";

export const cancelInput = z.object({ reason: z.string().max(2000).default("") });

/** Still waiting: not merged, and not being merged right now (an approved one only after its merge attempt stopped). */
const cancellable = [{ status: "proposed" as const }, { status: "awaiting_approval" as const }, { status: "approved" as const, error: { not: null } }];

export async function cancelPromotion(deps: PromotionDeps, actor: PromotionActor & { role: RoleName }, id: string, reason: string) {
  const p = await deps.prisma.promotion.findUnique({ where: { id } });
  if (!p) throw new AppError("not_found", `Promotion ${id} does not exist`);
  const isAuthor = p.authorId === actor.id || p.authorName === actor.username;
  if (!isAuthor && !hasRole(await effectiveRole(deps.prisma, actor, p.applicationId), "approver")) {
    throw new AppError("forbidden", `Only the ${p.kind}'s author (${p.authorName}), an approver of the application or an admin may cancel it`);
  }
  const claimed = await deps.prisma.promotion.updateMany({ where: { id, OR: cancellable }, data: { status: "cancelled", finishedAt: new Date() } });
  if (claimed.count === 0) {
    const now = await deps.prisma.promotion.findUniqueOrThrow({ where: { id }, select: { status: true } });
    throw new AppError(
      "conflict",
      `This ${p.kind} is ${now.status.replace("_", " ")}; only one still waiting for approval (or whose merge stopped) can be cancelled`,
    );
  }
  await addEvent(deps.prisma, id, actor.username, "cancelled", reason.trim() || undefined);
  if (p.changeRequestId) {
    await closeChange(deps, actor, p.changeRequestId, { viaPromotion: true }).catch(async (e) => {
      // Already closed or merged elsewhere: the promotion is cancelled either way.
      await addEvent(deps.prisma, id, "tideline", "close_failed", e instanceof Error ? e.message : String(e));
    });
  }
  return deps.prisma.promotion.findUniqueOrThrow({ where: { id } });
}

/**
 * A promotion's pull/merge request closed on GitHub/GitLab (outside Tideline): the promotion is
 * cancelled with the reason on its timeline, instead of waiting for ever on a closed request.
 */
export async function cancelForClosedChange(prisma: PromotionDeps["prisma"], changeRequestId: string, where: string) {
  const p = await prisma.promotion.findUnique({ where: { changeRequestId }, select: { id: true, kind: true } });
  if (!p) return;
  const claimed = await prisma.promotion.updateMany({ where: { id: p.id, OR: cancellable }, data: { status: "cancelled", finishedAt: new Date() } });
  if (claimed.count) await addEvent(prisma, p.id, where, "cancelled", `its change request was closed on ${where}`);
}

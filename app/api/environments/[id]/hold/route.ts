import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { recordAudit } from "@/lib/audit/record";
import { releaseHold } from "@/lib/promotions/rollback";
import { promotionDeps } from "@/lib/promotions/background";
import { reconciler } from "@/lib/reconcile/process-reconciler";
import { db } from "@/lib/db";

/** Release a rollback's sync hold by hand: auto-sync follows the branch again. */
export const DELETE = apiRoute({ action: "environment.rollback", scope: (prisma, p) => applicationOf.environment(prisma, p.id), params: z.object({ id: z.string().min(1).max(50) }) }, async ({ params, user }) => {
  const before = await db().environment.findUnique({ where: { id: params.id }, select: { syncHoldRevision: true, syncHoldChangeRequestId: true } });
  const released = await releaseHold(promotionDeps(), user, params.id);
  await recordAudit(db(), { actor: user, action: "environment.release_hold", targetType: "environment", targetId: params.id, details: { revision: before?.syncHoldRevision ?? null, changeRequestId: before?.syncHoldChangeRequestId ?? null } });
  reconciler().schedule(params.id, 0);
  return released;
});

import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { recordAudit } from "@/lib/audit/record";
import { releaseHold } from "@/lib/promotions/rollback";
import { holdEnvironment } from "@/lib/promotions/hold-environment";
import { holdInput } from "@/lib/promotions/schemas";
import { jobs, promotionDeps } from "@/server/root";
import { db } from "@/lib/db";

const params = z.object({ id: z.string().min(1).max(50) });

/** Hold auto-sync at the revision that runs now (an incident, a freeze), with a reason; DELETE releases it. */
export const POST = apiRoute(
  { action: "environment.rollback", scope: (prisma, p) => applicationOf.environment(prisma, p.id), params, body: holdInput },
  async ({ params, body, user }) => {
    const held = await holdEnvironment(promotionDeps(), user, params.id, body);
    await recordAudit(db(), {
      actor: user,
      action: "environment.hold",
      targetType: "environment",
      targetId: params.id,
      details: { revision: held.revision, reason: body.reason },
    });
    return Response.json(held, { status: 201 });
  },
);

/** Release a rollback's sync hold by hand: auto-sync follows the branch again. */
export const DELETE = apiRoute(
  { action: "environment.rollback", scope: (prisma, p) => applicationOf.environment(prisma, p.id), params },
  async ({ params, user }) => {
    const before = await db().environment.findUnique({ where: { id: params.id }, select: { syncHoldRevision: true, syncHoldChangeRequestId: true } });
    const released = await releaseHold(promotionDeps(), user, params.id);
    await recordAudit(db(), {
      actor: user,
      action: "environment.release_hold",
      targetType: "environment",
      targetId: params.id,
      details: { revision: before?.syncHoldRevision ?? null, changeRequestId: before?.syncHoldChangeRequestId ?? null },
    });
    await jobs().send("environment.work", { environmentId: params.id, reason: "sync hold released" });
    return released;
  },
);

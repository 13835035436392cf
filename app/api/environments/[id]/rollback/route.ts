import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { recordAudit } from "@/lib/audit/record";
import { authorizeOnApplication } from "@/lib/promotions/api";
import { requestRollback } from "@/lib/promotions/rollback";
import { promotionDeps } from "@/server/root";
import { rollbackInput } from "@/lib/promotions/schemas";
import { db } from "@/lib/db";

/** Roll back to an earlier successful sync: at once (auto-sync held, revert change request opened), or after approvals when protected. */
export const POST = apiRoute(
  {
    action: "environment.rollback",
    scope: (prisma, p) => applicationOf.environment(prisma, p.id),
    params: z.object({ id: z.string().min(1).max(50) }),
    body: rollbackInput,
  },
  async ({ params, body, user }) => {
    // Skipping the approvals of a protected environment is an admin's emergency override.
    if (body.emergency) await authorizeOnApplication(db(), user, await applicationOf.environment(db(), params.id), "promotion.override");
    const promotion = await requestRollback(promotionDeps(), user, params.id, body);
    await recordAudit(db(), {
      actor: user,
      action: body.emergency ? "environment.rollback.emergency" : "environment.rollback",
      targetType: "environment",
      targetId: params.id,
      details: {
        promotionId: promotion.id,
        syncRunId: body.syncRunId,
        revision: promotion.sourceRevision,
        status: promotion.status,
        emergency: body.emergency,
        reason: body.reason ?? null,
      },
    });
    return Response.json({ promotion }, { status: 201 });
  },
);

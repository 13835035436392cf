import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { recordAudit } from "@/lib/audit/record";
import { cancelInput, cancelPromotion } from "@/lib/promotions/cancel";
import { promotionDeps } from "@/server/root";
import { db } from "@/lib/db";

/** Cancel a promotion still waiting (its author, an approver of the application, or an admin); closes its change request. */
export const POST = apiRoute(
  {
    action: "promotion.create",
    scope: (prisma, p) => applicationOf.promotion(prisma, p.id),
    params: z.object({ id: z.string().min(1).max(50) }),
    body: cancelInput,
  },
  async ({ params, body, user }) => {
    const promotion = await cancelPromotion(promotionDeps(), user, params.id, body.reason);
    await recordAudit(db(), {
      actor: user,
      action: "promotion.cancel",
      targetType: "promotion",
      targetId: params.id,
      details: { reason: body.reason, status: promotion.status, changeRequestId: promotion.changeRequestId },
    });
    return { promotion };
  },
);

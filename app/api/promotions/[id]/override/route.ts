import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { recordAudit } from "@/lib/audit/record";
import { overridePromotion } from "@/lib/promotions/decide";
import { promotionDeps } from "@/server/root";
import { overrideInput } from "@/lib/promotions/schemas";
import { db } from "@/lib/db";

/** Emergency override (admins): land the promotion without its approvals; the reason is recorded. */
export const POST = apiRoute(
  {
    action: "promotion.override",
    scope: (prisma, p) => applicationOf.promotion(prisma, p.id),
    params: z.object({ id: z.string().min(1).max(50) }),
    body: overrideInput,
  },
  async ({ params, body, user }) => {
    const promotion = await overridePromotion(promotionDeps(), user, params.id, body.reason);
    await recordAudit(db(), {
      actor: user,
      action: "promotion.override",
      targetType: "promotion",
      targetId: params.id,
      details: { reason: body.reason, status: promotion.status },
    });
    return { promotion };
  },
);

import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { recordAudit } from "@/lib/audit/record";
import { decidePromotion } from "@/lib/promotions/decide";
import { promotionDeps } from "@/server/root";
import { decisionInput } from "@/lib/promotions/schemas";
import { db } from "@/lib/db";

/** Approve or reject (approvers and admins on the application, never the author); the last approval merges. */
export const POST = apiRoute(
  {
    action: "promotion.approve",
    scope: (prisma, p) => applicationOf.promotion(prisma, p.id),
    params: z.object({ id: z.string().min(1).max(50) }),
    body: decisionInput,
  },
  async ({ params, body, user }) => {
    const promotion = await decidePromotion(promotionDeps(), user, params.id, body);
    await recordAudit(db(), {
      actor: user,
      action: "promotion.decide",
      targetType: "promotion",
      targetId: params.id,
      details: { decision: body.decision, comment: body.comment, status: promotion.status },
    });
    return { promotion };
  },
);

import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { recordAudit } from "@/lib/audit/record";
import { retryApprovedPromotion } from "@/lib/promotions/decide";
import { promotionDeps } from "@/server/root";
import { db } from "@/lib/db";

/** Merge an approved promotion again (after a conflict was resolved, or once the soak time passed). */
export const POST = apiRoute(
  { action: "promotion.approve", scope: (prisma, p) => applicationOf.promotion(prisma, p.id), params: z.object({ id: z.string().min(1).max(50) }) },
  async ({ params, user }) => {
    const promotion = await retryApprovedPromotion(promotionDeps(), user, params.id);
    await recordAudit(db(), { actor: user, action: "promotion.retry", targetType: "promotion", targetId: params.id, details: { status: promotion.status } });
    return { promotion };
  },
);

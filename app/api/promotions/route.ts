import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { recordAudit } from "@/lib/audit/record";
import { createPromotion } from "@/lib/promotions/create";
import { approvalInbox } from "@/lib/promotions/api";
import { listPromotions } from "@/lib/promotions/read-models";
import { promotionDeps } from "@/server/root";
import { createPromotionInput, listPromotionsQuery } from "@/lib/promotions/schemas";
import { db } from "@/lib/db";

/** Recent promotions (filtered), or with inbox=1 the ones waiting for my approval. */
export const GET = apiRoute({ action: "promotion.read", query: listPromotionsQuery }, async ({ query, user }) => ({
  items:
    query.inbox === "1"
      ? await approvalInbox({ prisma: db() }, user, query.limit)
      : await listPromotions(
          { prisma: db() },
          { applicationId: query.applicationId, environmentId: query.environmentId, status: query.status, limit: query.limit },
        ),
}));

/** Starts a promotion from a confirmed preview: commits (unprotected target) or opens a change request for approval. */
export const POST = apiRoute(
  { action: "promotion.create", bodyScope: applicationOf.bodyEnvironment("targetEnvironmentId"), body: createPromotionInput },
  async ({ body, user }) => {
    const promotion = await createPromotion(promotionDeps(), user, {
      ...body,
      freezeOverride: body.freezeOverride ? { actor: user, reason: body.freezeOverride.reason } : null,
    });
    await recordAudit(db(), {
      actor: user,
      action: "promotion.create",
      targetType: "promotion",
      targetId: promotion.id,
      details: {
        sourceEnvironmentId: body.sourceEnvironmentId,
        targetEnvironmentId: body.targetEnvironmentId,
        status: promotion.status,
        commitSha: promotion.commitSha,
        acknowledgeWarnings: body.acknowledgeWarnings,
        ...(body.freezeOverride ? { freezeOverride: body.freezeOverride.reason } : {}),
      },
    });
    return Response.json({ promotion }, { status: 201 });
  },
);

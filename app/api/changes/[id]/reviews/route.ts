import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { reviewChange } from "@/lib/changes/review-change";
import { reviewInput } from "@/lib/changes/schemas";
import { recordAudit } from "@/lib/audit/record";
import { changeDeps } from "@/server/root";
import { db } from "@/lib/db";

export const POST = apiRoute(
  { action: "change.review", params: z.object({ id: z.string().min(1).max(50) }), body: reviewInput },
  async ({ params, body, user }) => {
    const review = await reviewChange(changeDeps(), user, params.id, body);
    await recordAudit(db(), { actor: user, action: "change.review", targetType: "change_request", targetId: params.id, details: { state: review.state } });
    return Response.json({ review }, { status: 201 });
  },
);

import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { getPromotion } from "@/lib/promotions/read-models";
import { db } from "@/lib/db";

/** One promotion (or rollback) with its approvals, change request and timeline. */
export const GET = apiRoute(
  { action: "promotion.read", scope: (prisma, p) => applicationOf.promotion(prisma, p.id), params: z.object({ id: z.string().min(1).max(50) }) },
  async ({ params }) => ({
    promotion: await getPromotion({ prisma: db() }, params.id),
  }),
);

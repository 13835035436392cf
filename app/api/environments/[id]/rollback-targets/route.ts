import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { rollbackTargets } from "@/lib/promotions/rollback";
import { promotionDeps } from "@/server/root";

/** Earlier successful syncs to roll back to; unavailable ones (history rewritten) carry the reason. */
export const GET = apiRoute(
  { action: "promotion.read", scope: (prisma, p) => applicationOf.environment(prisma, p.id), params: z.object({ id: z.string().min(1).max(50) }) },
  async ({ params }) => ({
    items: await rollbackTargets(promotionDeps(), params.id),
  }),
);

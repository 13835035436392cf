import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { getPipeline } from "@/lib/promotions/read-models";
import { reconcileDeps } from "@/server/root";

/** The application's stages (what each environment runs) and what each arrow would promote. */
export const GET = apiRoute(
  { action: "promotion.read", scope: (prisma, p) => applicationOf.application(prisma, p.id), params: z.object({ id: z.string().min(1).max(50) }) },
  async ({ params }) => getPipeline(reconcileDeps(), params.id),
);

// Whether the environment is frozen now, per action, and until when (the banner on its pages).
import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { db } from "@/lib/db";
import { notFound } from "@/lib/errors";
import { freezeState } from "@/lib/freeze/status";

const params = z.object({ id: z.string().min(1) });

export const GET = apiRoute({ action: "application.read", scope: (prisma, p) => applicationOf.environment(prisma, p.id), params }, async ({ params }) => {
  const state = await freezeState(db(), params.id);
  if (!state) throw notFound(`Environment ${params.id} does not exist`);
  return state;
});

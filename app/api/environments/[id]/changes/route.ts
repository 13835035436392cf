import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { pendingChanges } from "@/lib/environments/environment-detail";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

export const GET = apiRoute(
  { action: "application.read", scope: (prisma, p) => applicationOf.environment(prisma, p.id), params: z.object({ id: z.string().min(1) }) },
  async ({ params }) => pendingChanges(db(), env().mirrorsDir, params.id),
);

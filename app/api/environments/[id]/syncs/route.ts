import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { syncHistory } from "@/lib/environments/environment-detail";
import { db } from "@/lib/db";

export const GET = apiRoute(
  { action: "application.read", scope: (prisma, p) => applicationOf.environment(prisma, p.id), params: z.object({ id: z.string().min(1) }) },
  async ({ params }) => ({ items: await syncHistory(db(), params.id) }),
);

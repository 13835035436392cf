import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { environmentTree } from "@/lib/tree/environment-tree";
import { treeDeps } from "@/server/root";

export const dynamic = "force-dynamic";

export const GET = apiRoute(
  { action: "application.read", scope: (prisma, p) => applicationOf.environment(prisma, p.id), params: z.object({ id: z.string().min(1) }) },
  async ({ params }) => environmentTree(treeDeps(), params.id),
);

import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { objectDiff } from "@/lib/environments/environment-detail";
import { reconcileDeps } from "@/server/root";

const query = z.object({
  apiVersion: z.string().min(1).max(120),
  kind: z.string().min(1).max(63),
  namespace: z.string().max(63).default(""),
  name: z.string().min(1).max(253),
});

export const GET = apiRoute(
  { action: "application.read", scope: (prisma, p) => applicationOf.environment(prisma, p.id), params: z.object({ id: z.string().min(1) }), query },
  async ({ params, query }) => objectDiff(reconcileDeps(), params.id, query),
);

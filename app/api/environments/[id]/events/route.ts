import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { environmentEvents } from "@/lib/tree/environment-tree";
import { treeDeps } from "@/server/root";

export const dynamic = "force-dynamic";

// Without a filter: the whole environment's namespaces; with uid or kind/name: one object's events.
const query = z.object({
  uid: z.string().max(64).optional(),
  kind: z.string().max(63).optional(),
  namespace: z.string().max(63).optional(),
  name: z.string().max(253).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export const GET = apiRoute(
  { action: "application.read", scope: (prisma, p) => applicationOf.environment(prisma, p.id), params: z.object({ id: z.string().min(1) }), query },
  async ({ params, query: { limit, ...target } }) => environmentEvents(treeDeps(), params.id, target, limit),
);

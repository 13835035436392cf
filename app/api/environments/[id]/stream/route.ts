// Server-sent events of one environment: tree patches, Kubernetes events, the environment's detail
// and sync runs as they change. Authorized like GET /api/environments/[id]; resumes from Last-Event-ID.
import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { environmentScope } from "@/lib/tree/environment-tree";
import { sseResponse } from "@/lib/live/sse";
import { db } from "@/lib/db";
import { liveHub } from "@/server/root";

export const dynamic = "force-dynamic";

const query = z.object({ lastEventId: z.string().max(64).optional() });

export const GET = apiRoute(
  { action: "application.read", scope: (prisma, p) => applicationOf.environment(prisma, p.id), params: z.object({ id: z.string().min(1) }), query },
  async ({ req, params, query }) => {
    await environmentScope(db(), params.id); // 404 before any stream starts
    const lastEventId = req.headers.get("last-event-id") ?? query.lastEventId ?? null;
    return sseResponse({ subscribe: (send) => liveHub().subscribe(params.id, send, lastEventId), signal: req.signal });
  },
);

// Server-sent change hints for every page of the signed-in user (ids only, filtered to the
// applications they may read and their own notifications); resumes from Last-Event-ID.
import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { sseResponse } from "@/lib/live/sse";
import { userHints } from "@/server/root";

export const dynamic = "force-dynamic";

const query = z.object({ lastEventId: z.string().max(64).optional() });

export const GET = apiRoute({ action: "application.read", query }, async ({ req, user, query }) => {
  const lastEventId = req.headers.get("last-event-id") ?? query.lastEventId ?? null;
  return sseResponse({ subscribe: (send) => userHints().subscribe(user, send, lastEventId), signal: req.signal });
});

import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { checkHealth } from "@/lib/health/check-health";
import { logger } from "@/lib/log/logger";

const log = logger("health");

// Probes must see the current state, never a cached page.
export const dynamic = "force-dynamic";

const flag = z.enum(["1", "true"]).optional();
const query = z.object({ ready: flag, live: flag });

/**
 * Public (probes and load balancers carry no session): 200 when this process can serve, 503 naming
 * what failed. ?live=1 checks only that the process answers (Kubernetes liveness: a Postgres outage
 * must not restart every pod); the default checks Postgres; ?ready=1 also the job engine's schema.
 */
export const GET = apiRoute({ action: "public", query }, async ({ query }) => {
  const report = await checkHealth({
    prisma: db(),
    role: env().TIDELINE_ROLE,
    jobSchema: env().TIDELINE_JOB_SCHEMA,
    depth: query.live ? "live" : query.ready ? "ready" : "health",
    onError: (what, error) => log.error({ err: error, check: what }, "health check failed"),
  });
  return Response.json(report, { status: report.status === "ok" ? 200 : 503, headers: { "Cache-Control": "no-store" } });
});

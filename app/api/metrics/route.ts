// Prometheus scrape endpoint (also served at /metrics by a rewrite): this process's counters plus
// the fleet's figures from the database. Bearer TIDELINE_METRICS_TOKEN, or an admin; see README "Metrics".
import { loggedRoute } from "@/lib/api/handler";
import { scrapeResponse } from "@/lib/metrics/scrape";
import { metricsDeps } from "@/server/root";

export const dynamic = "force-dynamic";

export const GET = loggedRoute(async (request: Request) => scrapeResponse(metricsDeps({ fleet: true }), request.headers));

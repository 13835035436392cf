// One scrape: authorize, refresh the database figures (web endpoint only), render the registry
// as Prometheus text. Used by app/api/metrics (web, all roles) and the worker's metrics port.
import type { PrismaClient } from "../generated/prisma/client";
import { errorResponse } from "../api/handler";
import { authorizeScrape } from "./authorize-scrape";
import { refreshFleetGauges, type FleetSources } from "./fleet";
import { metrics, METRICS_CONTENT_TYPE } from "./registry";

export interface ScrapeDeps {
  prisma: PrismaClient;
  metricsToken: string | undefined;
  /** Absent on the worker port: the fleet figures come from the web endpoint only. */
  fleet?: Omit<FleetSources, "prisma">;
}

export async function scrapeResponse(deps: ScrapeDeps, headers: Headers): Promise<Response> {
  try {
    await authorizeScrape(deps.prisma, headers, deps.metricsToken);
    const m = metrics();
    if (deps.fleet) await refreshFleetGauges(m, { prisma: deps.prisma, ...deps.fleet });
    return new Response(await m.registry.metrics(), { headers: { "Content-Type": METRICS_CONTENT_TYPE, "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}

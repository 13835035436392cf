// Who may read /metrics: Prometheus with TIDELINE_METRICS_TOKEN, or an admin (session or API
// token with the jobs.read scope: metrics show the job queues and the whole fleet, like the jobs page).
// Without a metrics token only admins may scrape: the secure default, never an open endpoint.
import { createHash, timingSafeEqual } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client";
import { AppError } from "../errors";
import { can } from "../auth/roles";
import { SESSION_COOKIE, userForToken } from "../auth/sessions";
import { tokenAllows, userForApiToken } from "../auth/api-tokens";

const SCRAPE_ACTION = "jobs.read" as const;

const digest = (s: string) => createHash("sha256").update(s).digest();
/** Constant time whatever the lengths (both sides hashed first). */
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

function cookieValue(header: string | null, name: string): string | undefined {
  for (const part of header?.split(";") ?? []) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return undefined;
}

/** Resolves when the request may scrape; throws AppError unauthenticated (401) or forbidden (403). */
export async function authorizeScrape(prisma: PrismaClient, headers: Headers, metricsToken: string | undefined): Promise<void> {
  const bearer = headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (bearer && metricsToken && sameSecret(bearer, metricsToken)) return;
  const user = bearer ? await userForApiToken(prisma, bearer) : await userForToken(prisma, cookieValue(headers.get("cookie"), SESSION_COOKIE));
  if (!user) {
    throw new AppError(
      "unauthenticated",
      metricsToken
        ? "Send Authorization: Bearer <TIDELINE_METRICS_TOKEN> (or an admin's API token)"
        : "Metrics need an admin's session or API token (or set TIDELINE_METRICS_TOKEN for Prometheus)",
    );
  }
  if (!can(user.role, SCRAPE_ACTION)) throw new AppError("forbidden", `Your role (${user.role}) may not read metrics (admins only)`);
  if (!tokenAllows(user, SCRAPE_ACTION)) throw new AppError("forbidden", `This API token's scopes do not include ${SCRAPE_ACTION} (needed to read metrics)`);
}

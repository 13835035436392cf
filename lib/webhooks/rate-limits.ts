// Rate limits for the public webhook receivers, counted in Postgres so every replica shares them:
// per client address (before the body is read) and per repository (before any signature check).
// A refusal is 429 with Retry-After; only the first one of a window is recorded, so a flood writes one row.
import type { PrismaClient } from "../generated/prisma/client";
import { hit } from "../rate-limit/counter";
import { addressKey, clientAddress, UNKNOWN_ADDRESS } from "../rate-limit/client-address";
import type { LimitsConfig } from "../rate-limit/config";
import { recordDelivery, type DeliverySource } from "./deliveries";
import { detectGitProvider } from "./verify";
import type { LimitVerdict } from "./git-webhook";

export type WebhookLimits = Pick<LimitsConfig, "webhook" | "trustedProxies">;

/** Counts a delivery to a repository: at most `perRepository.max` per minute. */
export const repositoryLimiter =
  (prisma: PrismaClient, limits: WebhookLimits) =>
  (repositoryId: string): Promise<LimitVerdict> =>
    hit(prisma, `webhook:repository:${repositoryId}`, limits.webhook.perRepository);

/**
 * Counts a delivery from the request's client address; returns the 429 answer when it is over the
 * limit, else null. Requests whose address is not known are not counted here (the per-repository
 * limit still applies), so a missing address never puts every sender in one shared bucket.
 */
export async function addressLimited(prisma: PrismaClient, request: Request, limits: WebhookLimits, source?: DeliverySource): Promise<Response | null> {
  const address = clientAddress(request.headers, limits.trustedProxies);
  if (address === UNKNOWN_ADDRESS) return null;
  const verdict = await hit(prisma, `webhook:address:${addressKey(address)}`, limits.webhook.perAddress);
  if (verdict.allowed) return null;
  const reason = `too many webhook deliveries from ${address}; try again in ${verdict.retryAfterSeconds} s`;
  if (verdict.firstRefusal) {
    await recordDelivery(prisma, {
      source: source ?? detectGitProvider(request.headers) ?? "generic",
      outcome: "rejected",
      reason,
      summary: { address },
      repositoryId: null,
    });
  }
  await request.body?.cancel().catch(() => undefined);
  return Response.json(
    { outcome: "rejected", deliveryId: null, reason, error: { code: "rate_limited", message: reason } },
    { status: 429, headers: { "Retry-After": String(verdict.retryAfterSeconds) } },
  );
}

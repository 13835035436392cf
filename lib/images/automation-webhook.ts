// "An image was pushed" webhooks from CI (simple JSON) and registries (notification envelopes):
// authenticate (API token with image.manage, or the CI HMAC secret), refuse replays and oversized
// bodies, check every policy watching the image right away, and record the delivery.
import { createHash } from "node:crypto";
import type { Prisma } from "../generated/prisma/client";
import { Prisma as P } from "../generated/prisma/client";
import { AppError } from "../errors";
import { errorResponse } from "../api/handler";
import { tokenAllows, userForApiToken } from "../auth/api-tokens";
import { can } from "../auth/roles";
import { recordDelivery, recordReplay, type DeliverySource } from "../webhooks/deliveries";
import { parseImagePush, REGISTRY_EVENTS_CONTENT_TYPE, type ImagePush } from "../webhooks/image-push";
import { isPayloadTooLarge, readBodyWithLimit } from "../webhooks/limits";
import { verifyGeneric } from "../webhooks/verify";
import { canonicalName } from "./image-ref";
import { checkPolicy } from "./automation";
import { readCiSecret } from "./ci-secret";
import type { AutomationDeps, CheckOutcome } from "./automation-types";

export const IMAGE_WEBHOOK_MAX_BYTES = 256 * 1024;

type Auth = { ok: true; via: "token" | "hmac"; who: string; deliveryId?: string } | { ok: false; status: 401 | 403; reason: string };

const isEnvelopeType = (contentType: string | null) => Boolean(contentType?.toLowerCase().includes("vnd.docker.distribution.events"));

async function authenticate(deps: AutomationDeps, req: Request, body: Buffer): Promise<Auth> {
  const header = req.headers.get("authorization");
  // Tokens only in the Authorization header: a token in the URL would end up in proxy and access logs.
  if (new URL(req.url).searchParams.has("token"))
    return { ok: false, status: 401, reason: "API tokens are not accepted in the URL (they would be logged); send Authorization: Bearer <token>" };
  const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (bearer) {
    const user = await userForApiToken(deps.prisma, bearer);
    if (!user) return { ok: false, status: 401, reason: "the API token is invalid, expired or revoked" };
    if (!can(user.role, "image.manage"))
      return { ok: false, status: 403, reason: `the token's owner (${user.username}, ${user.role}) may not perform image.manage` };
    if (!tokenAllows(user, "image.manage")) return { ok: false, status: 403, reason: "the API token's scopes do not include image.manage" };
    return { ok: true, via: "token", who: user.username };
  }
  if (req.headers.has("x-tideline-signature")) {
    const secret = await readCiSecret(deps);
    if (!secret) return { ok: false, status: 401, reason: "no CI webhook secret is configured (generate one on the Images page)" };
    const verified = verifyGeneric(body, req.headers, secret);
    if (!verified.ok) return { ok: false, status: 401, reason: verified.reason };
    return { ok: true, via: "hmac", who: "ci-webhook", deliveryId: verified.deliveryId };
  }
  return {
    ok: false,
    status: 401,
    reason: "send Authorization: Bearer <API token with image.manage>, or sign the body with X-Tideline-Signature and X-Tideline-Timestamp",
  };
}

/** Registries resend an envelope with the same event ids when a delivery failed: those ids make it one delivery. */
function envelopeDeliveryId(json: unknown): string | null {
  const events = (json as { events?: Array<{ id?: unknown }> } | null)?.events;
  if (!Array.isArray(events) || events.length === 0 || !events.every((e) => typeof e?.id === "string")) return null;
  const ids = events.map((e) => e.id as string).sort();
  return `events-sha256:${createHash("sha256").update(ids.join("\n")).digest("hex")}`;
}

function json(status: number, body: unknown): Response {
  return Response.json(body, { status });
}

function summarize(outcomes: CheckOutcome[]): Prisma.InputJsonValue {
  return outcomes.map((o) => ({
    policy: o.policy,
    ok: o.ok,
    latestTag: o.latestTag,
    ...(o.error ? { error: o.error.message.slice(0, 500) } : {}),
    environments: o.environments.map((e) => ({
      environment: `${e.application}/${e.environment}`,
      status: e.status,
      ...(e.commitSha ? { commitSha: e.commitSha } : {}),
      ...(e.changeRequestNumber ? { changeRequest: e.changeRequestNumber } : {}),
    })),
  }));
}

export async function handleImageWebhook(deps: AutomationDeps, req: Request): Promise<Response> {
  const { prisma } = deps;
  let source: DeliverySource = isEnvelopeType(req.headers.get("content-type")) ? "registry" : "ci";
  try {
    let body: Buffer;
    try {
      body = await readBodyWithLimit(req, IMAGE_WEBHOOK_MAX_BYTES);
    } catch (e) {
      if (!isPayloadTooLarge(e)) throw e;
      await recordDelivery(prisma, { source, event: "push", outcome: "rejected", reason: e.message });
      return json(413, { error: { code: "payload_too_large", message: `Payload too large: ${e.message}` } });
    }
    const auth = await authenticate(deps, req, body);
    if (!auth.ok) {
      await recordDelivery(prisma, { source, event: "push", outcome: "rejected", reason: auth.reason });
      return json(auth.status, { error: { code: auth.status === 401 ? "unauthenticated" : "forbidden", message: `Webhook refused: ${auth.reason}` } });
    }

    let parsed: { images: ImagePush[]; ignored: string[] };
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString("utf8"));
      if (payload && typeof payload === "object" && "events" in payload) source = "registry";
      parsed = parseImagePush(payload, source === "registry" ? REGISTRY_EVENTS_CONTENT_TYPE : req.headers.get("content-type"));
    } catch (e) {
      const reason = e instanceof AppError ? e.message : "the body is not valid JSON";
      await recordDelivery(prisma, { source, event: "push", outcome: "rejected", reason });
      return json(422, { error: { code: "invalid", message: reason } });
    }

    const deliveryId =
      auth.deliveryId ?? req.headers.get("x-tideline-delivery")?.trim().slice(0, 200) ?? (source === "registry" ? envelopeDeliveryId(payload) : null);
    const summary = { via: auth.via, by: auth.who, images: parsed.images, ignored: parsed.ignored } as Prisma.InputJsonObject;
    let delivery: { id: string };
    try {
      delivery = await prisma.webhookDelivery.create({ data: { source, deliveryId, event: "push", outcome: "accepted", summary } });
    } catch (e) {
      if (!(e instanceof P.PrismaClientKnownRequestError && e.code === "P2002")) throw e;
      await recordReplay(prisma, { source, deliveryId, event: "push", summary });
      // A registry retries anything but 2xx forever, so its resends are acknowledged, not refused.
      if (source === "registry") return json(200, { deliveryId, duplicate: true, message: "already received" });
      return json(409, { error: { code: "conflict", message: `Delivery ${deliveryId} was already received (replay refused)` } });
    }

    const policies = await prisma.imagePolicy.findMany({ select: { id: true, image: true }, orderBy: { name: "asc" } });
    const matches = new Map<string, ImagePush>();
    for (const push of parsed.images) {
      for (const p of policies) if (canonicalName(p.image) === canonicalName(push.image)) matches.set(p.id, push);
    }
    if (matches.size === 0) {
      const reason = parsed.images.length
        ? `no image policy watches ${[...new Set(parsed.images.map((i) => i.image))].join(", ")}`
        : `nothing pushed: ${parsed.ignored.join("; ") || "no events"}`;
      await prisma.webhookDelivery.update({ where: { id: delivery.id }, data: { outcome: "ignored", reason: reason.slice(0, 1000) } });
      return json(200, { deliveryId, source, images: parsed.images, ignored: parsed.ignored, policies: [], message: reason });
    }

    const outcomes: CheckOutcome[] = [];
    for (const [policyId, push] of matches) {
      try {
        outcomes.push(
          await checkPolicy(deps, policyId, {
            trigger: "webhook",
            pushed: { ...(push.tag ? { tag: push.tag } : {}), ...(push.digest ? { digest: push.digest } : {}) },
          }),
        );
      } catch (e) {
        if (!(e instanceof AppError && e.code === "not_found")) throw e; // deleted meanwhile
      }
    }
    const written = outcomes.flatMap((o) =>
      o.environments
        .filter((e) => e.status === "committed" || e.status === "change_request")
        .map((e) => `${o.policy} ${e.to} -> ${e.application}/${e.environment}`),
    );
    await prisma.webhookDelivery.update({
      where: { id: delivery.id },
      data: {
        reason: (written.length ? `wrote ${written.join(", ")}` : "nothing to write").slice(0, 1000),
        summary: { ...summary, policies: summarize(outcomes) },
      },
    });
    return json(202, { deliveryId, source, images: parsed.images, ignored: parsed.ignored, policies: outcomes });
  } catch (e) {
    return errorResponse(e);
  }
}

// Authenticates incoming webhook deliveries (GitHub, GitLab, Gitea, Tideline's generic HMAC)
// from the raw body and headers; pure functions, reasons never reveal the secret or expected signature.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export type GitProvider = "github" | "gitlab" | "gitea";
export type WebhookProvider = GitProvider | "generic";
export type VerifyResult = { ok: true; deliveryId: string; event: string } | { ok: false; reason: string };

/** Deliveries whose X-Tideline-Timestamp is further than this from now are refused (replay window). */
export const REPLAY_WINDOW_SECONDS = 300;

const HEX64 = /^[0-9a-f]{64}$/i;

const fail = (reason: string): VerifyResult => ({ ok: false, reason });

function header(headers: Headers, name: string): string | null {
  const value = headers.get(name)?.trim();
  return value ? value : null;
}

function hmacHex(secret: string, ...parts: Buffer[]): string {
  const mac = createHmac("sha256", secret);
  for (const part of parts) mac.update(part);
  return mac.digest("hex");
}

/** Constant-time comparison of two hex digests (both validated as 64 hex digits by the caller). */
function hexEqual(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase(), "hex");
  const y = Buffer.from(b.toLowerCase(), "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Constant-time string equality that does not leak the length of either side. */
function tokenEqual(a: string, b: string): boolean {
  const x = createHash("sha256").update(a, "utf8").digest();
  const y = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(x, y);
}

function requireSecret(secret: string, provider: string): VerifyResult | null {
  if (secret.length > 0) return null;
  return fail(`no webhook secret is configured in Tideline for this ${provider} hook; set one before accepting deliveries`);
}

const fallbackDeliveryId = (rawBody: Buffer) => `body-sha256:${createHash("sha256").update(rawBody).digest("hex")}`;

/** GitHub: `X-Hub-Signature-256: sha256=<hex>` = HMAC-SHA256(secret, body). */
export function verifyGitHub(rawBody: Buffer, headers: Headers, secret: string): VerifyResult {
  const missingSecret = requireSecret(secret, "GitHub");
  if (missingSecret) return missingSecret;
  const signature = header(headers, "x-hub-signature-256");
  if (!signature) {
    if (header(headers, "x-hub-signature")) {
      return fail("missing X-Hub-Signature-256 header (only the legacy SHA-1 X-Hub-Signature was sent; Tideline requires SHA-256)");
    }
    return fail("missing X-Hub-Signature-256 header; set the webhook's secret in GitHub to the one configured in Tideline");
  }
  const match = /^sha256=(.+)$/i.exec(signature);
  if (!match || !HEX64.test(match[1]!)) return fail("X-Hub-Signature-256 header is not of the form sha256=<64 hex digits>");
  if (!hexEqual(match[1]!, hmacHex(secret, rawBody))) return fail("signature does not match the configured secret");
  const event = header(headers, "x-github-event");
  if (!event) return fail("missing X-GitHub-Event header");
  return { ok: true, deliveryId: header(headers, "x-github-delivery") ?? fallbackDeliveryId(rawBody), event };
}

/** GitLab: `X-Gitlab-Token` carries the secret itself. */
export function verifyGitLab(rawBody: Buffer, headers: Headers, secret: string): VerifyResult {
  const missingSecret = requireSecret(secret, "GitLab");
  if (missingSecret) return missingSecret;
  const token = headers.get("x-gitlab-token");
  if (token === null || token === "") {
    return fail("missing X-Gitlab-Token header; set the webhook's secret token in GitLab to the one configured in Tideline");
  }
  if (!tokenEqual(token, secret)) return fail("X-Gitlab-Token does not match the configured secret");
  const event = header(headers, "x-gitlab-event");
  if (!event) return fail("missing X-Gitlab-Event header");
  const deliveryId = header(headers, "x-gitlab-event-uuid") ?? header(headers, "idempotency-key") ?? fallbackDeliveryId(rawBody);
  return { ok: true, deliveryId, event };
}

/** Gitea / Forgejo: `X-Gitea-Signature: <hex>` = HMAC-SHA256(secret, body), no prefix. */
export function verifyGitea(rawBody: Buffer, headers: Headers, secret: string): VerifyResult {
  const missingSecret = requireSecret(secret, "Gitea");
  if (missingSecret) return missingSecret;
  const signature = header(headers, "x-gitea-signature");
  if (!signature) return fail("missing X-Gitea-Signature header; set the webhook's secret in Gitea to the one configured in Tideline");
  if (!HEX64.test(signature)) return fail("X-Gitea-Signature header is not 64 hex digits");
  if (!hexEqual(signature, hmacHex(secret, rawBody))) return fail("signature does not match the configured secret");
  const event = header(headers, "x-gitea-event");
  if (!event) return fail("missing X-Gitea-Event header");
  return { ok: true, deliveryId: header(headers, "x-gitea-delivery") ?? fallbackDeliveryId(rawBody), event };
}

/** The `X-Tideline-Signature` value for a generic delivery: sha256=HMAC-SHA256(secret, "<timestamp>.<body>"). */
export function signGeneric(secret: string, body: string | Buffer, timestamp: number): string {
  const raw = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  return `sha256=${hmacHex(secret, Buffer.from(`${timestamp}.`, "utf8"), raw)}`;
}

/**
 * Generic senders (CI jobs, scripts): `X-Tideline-Signature: sha256=<hex>` over `<timestamp>.<rawBody>`,
 * `X-Tideline-Timestamp` in unix seconds within {@link REPLAY_WINDOW_SECONDS} of `now`.
 * The event is `X-Tideline-Event` when sent, otherwise "push".
 */
export function verifyGeneric(rawBody: Buffer, headers: Headers, secret: string, now: Date = new Date()): VerifyResult {
  const missingSecret = requireSecret(secret, "generic");
  if (missingSecret) return missingSecret;
  const signature = header(headers, "x-tideline-signature");
  if (!signature) return fail('missing X-Tideline-Signature header; sign the body as sha256=HMAC-SHA256(secret, "<timestamp>.<body>")');
  const match = /^sha256=(.+)$/i.exec(signature);
  if (!match || !HEX64.test(match[1]!)) return fail("X-Tideline-Signature header is not of the form sha256=<64 hex digits>");
  const timestampText = header(headers, "x-tideline-timestamp");
  if (!timestampText) return fail("missing X-Tideline-Timestamp header (unix seconds, also part of the signed content)");
  if (!/^\d{1,15}$/.test(timestampText)) return fail(`X-Tideline-Timestamp "${timestampText.slice(0, 40)}" is not a unix time in whole seconds`);
  const expected = hmacHex(secret, Buffer.from(`${timestampText}.`, "utf8"), rawBody);
  if (!hexEqual(match[1]!, expected)) return fail("signature does not match the configured secret");

  const timestamp = Number(timestampText);
  const age = Math.floor(now.getTime() / 1000) - timestamp;
  if (age > REPLAY_WINDOW_SECONDS) {
    const hint = timestamp > 1e11 ? " (it looks like milliseconds; send unix seconds)" : "";
    return fail(`timestamp is ${age} s old; deliveries older than ${REPLAY_WINDOW_SECONDS} s are refused as replays${hint}`);
  }
  if (-age > REPLAY_WINDOW_SECONDS) {
    const hint = timestamp > 1e11 ? "; it looks like milliseconds, send unix seconds" : "; check the sender's clock";
    return fail(`timestamp is ${-age} s in the future; at most ${REPLAY_WINDOW_SECONDS} s of clock skew is accepted${hint}`);
  }
  const event = header(headers, "x-tideline-event") ?? "push";
  return { ok: true, deliveryId: header(headers, "x-tideline-delivery") ?? match[1]!.toLowerCase(), event };
}

/** Dispatches to the provider's verifier. */
export function verifyWebhook(provider: WebhookProvider, rawBody: Buffer, headers: Headers, secret: string, now: Date = new Date()): VerifyResult {
  switch (provider) {
    case "github":
      return verifyGitHub(rawBody, headers, secret);
    case "gitlab":
      return verifyGitLab(rawBody, headers, secret);
    case "gitea":
      return verifyGitea(rawBody, headers, secret);
    case "generic":
      return verifyGeneric(rawBody, headers, secret, now);
  }
}

/**
 * Which sender a delivery comes from, by its headers. Gitea/Forgejo is checked first because it
 * also sends GitHub-style headers (X-GitHub-Event, X-Hub-Signature-256).
 */
export function detectGitProvider(headers: Headers): WebhookProvider | null {
  if (headers.has("x-gitea-event") || headers.has("x-gitea-signature") || headers.has("x-gitea-delivery")) return "gitea";
  if (headers.has("x-gitlab-event") || headers.has("x-gitlab-token")) return "gitlab";
  if (headers.has("x-github-event") || headers.has("x-hub-signature-256") || headers.has("x-github-delivery")) return "github";
  if (headers.has("x-tideline-signature")) return "generic";
  return null;
}

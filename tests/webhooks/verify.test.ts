// Webhook authentication: GitHub/GitLab/Gitea/generic signatures, tampering, missing headers,
// the generic replay window, provider detection and the body size cap.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AppError } from "../../lib/errors";
import { PayloadTooLarge, readBodyWithLimit } from "../../lib/webhooks/limits";
import { detectGitProvider, signGeneric, verifyGeneric, verifyGitea, verifyGitHub, verifyGitLab, verifyWebhook } from "../../lib/webhooks/verify";

const SECRET = "It's a Secret to Everybody";
const body = Buffer.from(JSON.stringify({ ref: "refs/heads/main", after: "a".repeat(40), repository: { clone_url: "https://github.com/octo/app.git" } }));
const hmac = (secret: string, data: Buffer | string) => createHmac("sha256", secret).update(data).digest("hex");

function expectNoLeak(result: { ok: boolean; reason?: string }, ...secrets: string[]) {
  for (const s of secrets) expect(result.reason ?? "").not.toContain(s);
}

describe("verifyGitHub", () => {
  const headers = (extra: Record<string, string> = {}) =>
    new Headers({
      "X-GitHub-Event": "push",
      "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
      "X-Hub-Signature-256": `sha256=${hmac(SECRET, body)}`,
      "Content-Type": "application/json",
      ...extra,
    });

  it("matches GitHub's documented test vector", () => {
    // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
    const h = new Headers({
      "x-github-event": "ping",
      "x-github-delivery": "d1",
      "x-hub-signature-256": "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
    });
    expect(verifyGitHub(Buffer.from("Hello, World!"), h, SECRET)).toEqual({ ok: true, deliveryId: "d1", event: "ping" });
  });

  it("accepts a good signature and returns delivery id and event", () => {
    expect(verifyGitHub(body, headers(), SECRET)).toEqual({ ok: true, deliveryId: "72d3162e-cc78-11e3-81ab-4c9367dc0958", event: "push" });
  });

  it("accepts upper-case hex", () => {
    expect(verifyGitHub(body, headers({ "X-Hub-Signature-256": `sha256=${hmac(SECRET, body).toUpperCase()}` }), SECRET).ok).toBe(true);
  });

  it("rejects a signature made with another secret without leaking either", () => {
    const r = verifyGitHub(body, headers({ "X-Hub-Signature-256": `sha256=${hmac("wrong", body)}` }), SECRET);
    expect(r).toEqual({ ok: false, reason: "signature does not match the configured secret" });
    expectNoLeak(r, SECRET, hmac(SECRET, body));
  });

  it("rejects a tampered body", () => {
    const tampered = Buffer.from(body.toString().replace("refs/heads/main", "refs/heads/evil"));
    expect(verifyGitHub(tampered, headers(), SECRET)).toEqual({ ok: false, reason: "signature does not match the configured secret" });
  });

  it("explains a missing signature header, including a legacy SHA-1-only delivery", () => {
    const h = headers();
    h.delete("X-Hub-Signature-256");
    const r = verifyGitHub(body, h, SECRET);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/^missing X-Hub-Signature-256 header/);
    h.set("X-Hub-Signature", "sha1=0123");
    expect(!r.ok && (verifyGitHub(body, h, SECRET) as { reason: string }).reason).toMatch(/legacy SHA-1/);
  });

  it("rejects malformed and truncated signatures (length-checked)", () => {
    for (const bad of [
      "abc",
      `sha1=${hmac(SECRET, body)}`,
      `sha256=${hmac(SECRET, body).slice(0, 63)}`,
      `sha256=${"z".repeat(64)}`,
      `sha256=${hmac(SECRET, body)}00`,
    ]) {
      const r = verifyGitHub(body, headers({ "X-Hub-Signature-256": bad }), SECRET);
      expect(r).toEqual({ ok: false, reason: "X-Hub-Signature-256 header is not of the form sha256=<64 hex digits>" });
    }
  });

  it("requires the event header; falls back to a body hash when the delivery id is absent", () => {
    const noEvent = headers();
    noEvent.delete("X-GitHub-Event");
    expect(verifyGitHub(body, noEvent, SECRET)).toEqual({ ok: false, reason: "missing X-GitHub-Event header" });
    const noDelivery = headers();
    noDelivery.delete("X-GitHub-Delivery");
    const r = verifyGitHub(body, noDelivery, SECRET);
    expect(r.ok && r.deliveryId).toMatch(/^body-sha256:[0-9a-f]{64}$/);
  });

  it("refuses to verify against an empty secret", () => {
    const r = verifyGitHub(body, headers({ "X-Hub-Signature-256": `sha256=${hmac("", body)}` }), "");
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/no webhook secret is configured/);
  });
});

describe("verifyGitLab", () => {
  const headers = (extra: Record<string, string> = {}) =>
    new Headers({
      "X-Gitlab-Event": "Push Hook",
      "X-Gitlab-Token": SECRET,
      "X-Gitlab-Event-UUID": "13792a34-cac6-4fda-95a8-c58e00a3954e",
      "X-Gitlab-Instance": "https://gitlab.example.com",
      ...extra,
    });

  it("accepts the right token", () => {
    expect(verifyGitLab(body, headers(), SECRET)).toEqual({ ok: true, deliveryId: "13792a34-cac6-4fda-95a8-c58e00a3954e", event: "Push Hook" });
  });

  it("uses Idempotency-Key when there is no event UUID", () => {
    const h = headers({ "Idempotency-Key": "f5b4a1c0-0000-4000-8000-000000000001" });
    h.delete("X-Gitlab-Event-UUID");
    expect(verifyGitLab(body, h, SECRET)).toMatchObject({ ok: true, deliveryId: "f5b4a1c0-0000-4000-8000-000000000001" });
  });

  it("rejects a wrong token (also a prefix of the secret) without echoing it", () => {
    for (const token of ["nope", SECRET.slice(0, -1), `${SECRET}x`]) {
      const r = verifyGitLab(body, headers({ "X-Gitlab-Token": token }), SECRET);
      expect(r).toEqual({ ok: false, reason: "X-Gitlab-Token does not match the configured secret" });
      expectNoLeak(r, SECRET);
    }
  });

  it("explains a missing token", () => {
    const h = headers();
    h.delete("X-Gitlab-Token");
    const r = verifyGitLab(body, h, SECRET);
    expect(!r.ok && r.reason).toMatch(/^missing X-Gitlab-Token header/);
  });
});

describe("verifyGitea", () => {
  const headers = (extra: Record<string, string> = {}) =>
    new Headers({
      "X-Gitea-Event": "push",
      "X-Gitea-Event-Type": "push",
      "X-Gitea-Delivery": "2b7c6c1a-4d16-4a6b-a8a5-3c1bd0b3d0a1",
      "X-Gitea-Signature": hmac(SECRET, body),
      // Gitea also sends GitHub-compatible headers.
      "X-GitHub-Event": "push",
      "X-Hub-Signature-256": `sha256=${hmac(SECRET, body)}`,
      ...extra,
    });

  it("accepts a good signature", () => {
    expect(verifyGitea(body, headers(), SECRET)).toEqual({ ok: true, deliveryId: "2b7c6c1a-4d16-4a6b-a8a5-3c1bd0b3d0a1", event: "push" });
  });

  it("rejects a bad signature, a prefixed one, a tampered body and a missing header", () => {
    expect(verifyGitea(body, headers({ "X-Gitea-Signature": hmac("other", body) }), SECRET)).toEqual({
      ok: false,
      reason: "signature does not match the configured secret",
    });
    expect(verifyGitea(body, headers({ "X-Gitea-Signature": `sha256=${hmac(SECRET, body)}` }), SECRET)).toEqual({
      ok: false,
      reason: "X-Gitea-Signature header is not 64 hex digits",
    });
    expect(verifyGitea(Buffer.concat([body, Buffer.from(" ")]), headers(), SECRET).ok).toBe(false);
    const h = headers();
    h.delete("X-Gitea-Signature");
    const r = verifyGitea(body, h, SECRET);
    expect(!r.ok && r.reason).toMatch(/^missing X-Gitea-Signature header/);
  });
});

describe("verifyGeneric", () => {
  const now = new Date("2025-03-01T12:00:00Z");
  const ts = Math.floor(now.getTime() / 1000);
  const headers = (timestamp: number, extra: Record<string, string> = {}) =>
    new Headers({ "X-Tideline-Timestamp": String(timestamp), "X-Tideline-Signature": signGeneric(SECRET, body, timestamp), ...extra });

  it("signGeneric is HMAC-SHA256 over '<timestamp>.<body>'", () => {
    expect(signGeneric(SECRET, body, ts)).toBe(`sha256=${hmac(SECRET, `${ts}.${body.toString()}`)}`);
    expect(signGeneric(SECRET, body.toString(), ts)).toBe(signGeneric(SECRET, body, ts));
  });

  it("accepts a fresh, correctly signed delivery", () => {
    expect(verifyGeneric(body, headers(ts, { "X-Tideline-Delivery": "ci-run-881" }), SECRET, now)).toEqual({
      ok: true,
      deliveryId: "ci-run-881",
      event: "push",
    });
  });

  it("uses the signature as the delivery id when none is given, and X-Tideline-Event when sent", () => {
    const r = verifyGeneric(body, headers(ts - 10, { "X-Tideline-Event": "ping" }), SECRET, now);
    expect(r).toEqual({ ok: true, deliveryId: signGeneric(SECRET, body, ts - 10).slice("sha256=".length), event: "ping" });
  });

  it("accepts the edges of the replay window and refuses beyond it", () => {
    expect(verifyGeneric(body, headers(ts - 300), SECRET, now).ok).toBe(true);
    expect(verifyGeneric(body, headers(ts + 300), SECRET, now).ok).toBe(true);
    expect(verifyGeneric(body, headers(ts - 812), SECRET, now)).toEqual({
      ok: false,
      reason: "timestamp is 812 s old; deliveries older than 300 s are refused as replays",
    });
    const future = verifyGeneric(body, headers(ts + 400), SECRET, now);
    expect(!future.ok && future.reason).toMatch(/^timestamp is 400 s in the future/);
  });

  it("hints at milliseconds", () => {
    const r = verifyGeneric(body, headers(now.getTime()), SECRET, now);
    expect(!r.ok && r.reason).toMatch(/milliseconds/);
  });

  it("binds the timestamp into the signature (moving it breaks the signature)", () => {
    const h = headers(ts - 1000);
    h.set("X-Tideline-Timestamp", String(ts));
    expect(verifyGeneric(body, h, SECRET, now)).toEqual({ ok: false, reason: "signature does not match the configured secret" });
  });

  it("rejects tampered bodies, wrong secrets and missing or malformed headers", () => {
    expect(verifyGeneric(Buffer.from(`${body.toString()} `), headers(ts), SECRET, now).ok).toBe(false);
    const wrong = verifyGeneric(body, headers(ts), "another secret", now);
    expect(wrong).toEqual({ ok: false, reason: "signature does not match the configured secret" });
    expectNoLeak(wrong, SECRET, "another secret", signGeneric("another secret", body, ts));

    const noSig = headers(ts);
    noSig.delete("X-Tideline-Signature");
    expect((verifyGeneric(body, noSig, SECRET, now) as { reason: string }).reason).toMatch(/^missing X-Tideline-Signature header/);
    const noTs = headers(ts);
    noTs.delete("X-Tideline-Timestamp");
    expect((verifyGeneric(body, noTs, SECRET, now) as { reason: string }).reason).toMatch(/^missing X-Tideline-Timestamp header/);
    expect((verifyGeneric(body, headers(ts, { "X-Tideline-Timestamp": "yesterday" }), SECRET, now) as { reason: string }).reason).toMatch(
      /is not a unix time in whole seconds/,
    );
    expect(verifyGeneric(body, headers(ts, { "X-Tideline-Signature": "deadbeef" }), SECRET, now)).toEqual({
      ok: false,
      reason: "X-Tideline-Signature header is not of the form sha256=<64 hex digits>",
    });
  });

  it("verifyWebhook dispatches by provider", () => {
    expect(verifyWebhook("generic", body, headers(ts), SECRET, now).ok).toBe(true);
    expect(verifyWebhook("github", body, headers(ts), SECRET, now).ok).toBe(false);
  });
});

describe("detectGitProvider", () => {
  it("recognizes each sender; Gitea wins over its GitHub-compatible headers", () => {
    expect(detectGitProvider(new Headers({ "X-GitHub-Event": "push", "X-Hub-Signature-256": "sha256=00" }))).toBe("github");
    expect(detectGitProvider(new Headers({ "X-Gitlab-Event": "Push Hook" }))).toBe("gitlab");
    expect(detectGitProvider(new Headers({ "X-Gitea-Event": "push", "X-GitHub-Event": "push", "X-Hub-Signature-256": "sha256=00" }))).toBe("gitea");
    expect(detectGitProvider(new Headers({ "X-Tideline-Signature": "sha256=00" }))).toBe("generic");
    expect(detectGitProvider(new Headers({ "Content-Type": "application/json" }))).toBeNull();
  });
});

describe("readBodyWithLimit", () => {
  const streamingRequest = (stream: ReadableStream<Uint8Array>, headers?: Record<string, string>) =>
    new Request("http://tideline.test/api/webhooks/git", { method: "POST", body: stream, headers, duplex: "half" } as RequestInit);

  it("returns the body when it fits", async () => {
    const buf = await readBodyWithLimit(new Request("http://x/", { method: "POST", body: "hello" }), 5);
    expect(buf.toString()).toBe("hello");
    expect((await readBodyWithLimit(new Request("http://x/", { method: "POST" }), 5)).length).toBe(0);
  });

  it("refuses an oversized declared Content-Length before reading", async () => {
    // As an incoming request carries it (a Request built in-process has no Content-Length header of its own).
    let pulled = false;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulled = true;
          controller.enqueue(new Uint8Array(2048));
          controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    const request = new Request("http://x/", { method: "POST", body, headers: { "Content-Length": "2048" }, duplex: "half" } as RequestInit);
    const err = await readBodyWithLimit(request, 1024).catch((e: unknown) => e);
    expect(pulled).toBe(false);
    expect(err).toBeInstanceOf(PayloadTooLarge);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("invalid");
    expect((err as AppError).details).toMatchObject({ status: 413 });
    expect((err as AppError).message).toBe("payload is 2048 bytes; the limit is 1024 bytes");
  });

  it("stops reading and cancels an endless stream once over the limit", async () => {
    let pulls = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.enqueue(new Uint8Array(1000).fill(120));
      },
      cancel() {
        cancelled = true;
      },
    });
    const err = await readBodyWithLimit(streamingRequest(endless), 4500).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadTooLarge);
    expect((err as Error).message).toBe("payload is at least 5000 bytes; the limit is 4500 bytes");
    expect(cancelled).toBe(true);
    expect(pulls).toBeLessThan(20);
  });

  it("does not trust a Content-Length that understates the body", async () => {
    const chunks = [new Uint8Array(600), new Uint8Array(600)];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const err = await readBodyWithLimit(streamingRequest(stream, { "Content-Length": "10" }), 1000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadTooLarge);
  });

  it("reads a multi-chunk stream that fits", async () => {
    const chunks = ['{"a":', "1}"].map((s) => new TextEncoder().encode(s));
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    expect((await readBodyWithLimit(streamingRequest(stream), 7)).toString()).toBe('{"a":1}');
  });
});

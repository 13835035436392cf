// Issue 14, finding 9 (second half): no webhook route had a rate limit. Now a client address and a
// repository each get a budget per minute, counted in Postgres (shared by every replica); past it the
// answer is 429 with Retry-After, before the body is read or any signature checked.
import { randomUUID } from "node:crypto";
import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";

// The image route reads its limits from the environment (once per process): a small budget here.
process.env.TIDELINE_WEBHOOK_ADDRESS_LIMIT = "4";

const { seal, unseal } = await import("../../lib/crypto/keyring");
const { gitWebhookRoute } = await import("../../lib/webhooks/git-webhook-route");
const { verifyWebhook } = await import("../../lib/webhooks/verify");
const { stampPeer } = await import("../../lib/rate-limit/client-address");
const { prisma, uniqueName } = await import("../helpers/db");
const { githubPayload, signedDelivery } = await import("../webhooks/senders");
import type { GitWebhookDeps } from "../../lib/webhooks/git-webhook";
import type { WebhookLimits } from "../../lib/webhooks/rate-limits";

const limits: WebhookLimits = { webhook: { perAddress: { max: 5, windowSeconds: 60 }, perRepository: { max: 3, windowSeconds: 60 } }, trustedProxies: null };
let hmacs = 0;
const deps = (): GitWebhookDeps => ({
  prisma: prisma(),
  unseal,
  startFetch: () => undefined,
  verify: (...args) => {
    hmacs++;
    return verifyWebhook(...args);
  },
});

let n = 1;
const freshAddress = () => `192.0.2.${n++}`;
const repos: Array<{ id: string; url: string }> = [];

async function post(repoIndex: number, address: string, secret = "forged") {
  const repo = repos[repoIndex]!;
  const delivery = signedDelivery("github", secret, githubPayload({ url: repo.url, after: "c".repeat(40) }));
  const headers = new Headers(delivery.headers);
  stampPeer(headers, address);
  const req = new NextRequest(`http://tideline.test/api/webhooks/git/${repo.id}`, { method: "POST", headers, body: delivery.body });
  const res = await gitWebhookRoute(deps(), req, repo.id, limits);
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: await res.json() };
}

beforeAll(async () => {
  for (let i = 0; i < 8; i++) {
    const url = `https://git.example.test/${uniqueName("team")}/app.git`;
    repos.push(
      await prisma().repository.create({
        data: { name: uniqueName("limited"), url, encryptedWebhookSecret: seal(`secret-${randomUUID()}`) },
        select: { id: true, url: true },
      }),
    );
  }
});

describe("per address", () => {
  it("a sixth delivery within a minute from one address is refused with 429 and Retry-After, before any HMAC", async () => {
    const flooder = freshAddress();
    for (let i = 0; i < 5; i++) expect((await post(i, flooder)).status).toBe(401);
    hmacs = 0;
    const refused = await post(5, flooder);
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
    expect(refused.body).toMatchObject({ outcome: "rejected", error: { code: "rate_limited" } });
    expect(hmacs).toBe(0);
    // Another sender is not affected.
    expect((await post(5, freshAddress())).status).toBe(401);
  });

  it("the count lives in Postgres: a new limiter (another replica) sees it, and a new window starts over", async () => {
    const flooder = freshAddress();
    for (let i = 0; i < 5; i++) await post(6, flooder);
    const row = await prisma().rateLimitCounter.findUniqueOrThrow({ where: { key: `webhook:address:${flooder}` } });
    expect(row.count).toBe(5);
    expect((await post(7, flooder)).status).toBe(429);
    await prisma().rateLimitCounter.update({
      where: { key: `webhook:address:${flooder}` },
      data: { windowStart: new Date(row.windowStart.getTime() - 120_000) },
    });
    expect((await post(7, flooder)).status).not.toBe(429);
  });

  it("the image webhook is limited per address too", async () => {
    const { POST } = await import("../../app/api/webhooks/images/route");
    const flooder = freshAddress();
    const send = async () => {
      const headers = new Headers({ "content-type": "application/json" });
      stampPeer(headers, flooder);
      const res = await POST(
        new Request("http://tideline.test/api/webhooks/images", {
          method: "POST",
          headers,
          body: JSON.stringify({ image: "registry.example.test/team/app:1.0.0" }),
        }),
      );
      return { status: res.status, retryAfter: res.headers.get("retry-after") };
    };
    for (let i = 0; i < 4; i++) expect((await send()).status).toBe(401);
    const refused = await send();
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
  });
});

describe("per repository", () => {
  it("a fourth delivery within a minute to one repository is refused from any address, without an HMAC; the flood is recorded once", async () => {
    const target = 0;
    // The per-address test above used repository 0 once already; start from a clean count.
    await prisma().rateLimitCounter.deleteMany({ where: { key: `webhook:repository:${repos[target]!.id}` } });
    for (let i = 0; i < 3; i++) expect((await post(target, freshAddress())).status).toBe(401);
    hmacs = 0;
    const answers = [await post(target, freshAddress()), await post(target, freshAddress()), await post(target, freshAddress())];
    expect(answers.map((a) => a.status)).toEqual([429, 429, 429]);
    expect(answers.every((a) => Number(a.retryAfter) >= 1)).toBe(true);
    expect(hmacs).toBe(0);
    const recorded = await prisma().webhookDelivery.findMany({ where: { repositoryId: repos[target]!.id, reason: { startsWith: "too many deliveries" } } });
    expect(recorded).toHaveLength(1);
  });
});

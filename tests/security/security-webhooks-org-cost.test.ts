// Issue 14, finding 9: an unauthenticated organisation webhook `ping` used to be checked against every
// repository's secret, with an HMAC over the (up to 1 MB) body each. With 200 repositories tracked,
// the cost of one delivery is now bounded: only repositories the payload names (by URL, or by
// organization for a ping) are candidates, at most MAX_CANDIDATES, one HMAC per distinct secret.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { seal, unseal } from "../../lib/crypto/keyring";
import { handleGitWebhook, MAX_CANDIDATES, type GitWebhookDeps } from "../../lib/webhooks/git-webhook";
import { verifyWebhook } from "../../lib/webhooks/verify";
import { prisma, uniqueName } from "../helpers/db";
import { githubPayload, signedDelivery } from "../webhooks/senders";

const org = uniqueName("acme");
const shared = uniqueName("shared");
const sharedSecret = `org-secret-${randomUUID()}`;
let fetched: string[] = [];
let hmacs = 0;

const deps: GitWebhookDeps = {
  prisma: prisma(),
  unseal,
  startFetch: (id) => void fetched.push(id),
  verify: (...args) => {
    hmacs++;
    return verifyWebhook(...args);
  },
};

async function deliver(delivery: { headers: Record<string, string>; body: string }) {
  hmacs = 0;
  fetched = [];
  const answer = await handleGitWebhook(deps, { repositoryId: null, headers: new Headers(delivery.headers), rawBody: Buffer.from(delivery.body) });
  return { ...answer, hmacs };
}

/** An organization ping as GitHub sends it: the organization, the hook, no repository; padded towards 1 MB. */
const orgPing = (login: string, pad = 0) => ({
  zen: "Anything added dilutes everything else.",
  hook_id: 42,
  hook: { type: "Organization", events: ["push"], config: { content_type: "json", url: "https://tideline.example.com/api/webhooks/git" } },
  organization: { login, id: 7, url: `https://api.github.com/orgs/${login}` },
  sender: { login: "octocat" },
  padding: "x".repeat(pad),
});

beforeAll(async () => {
  // 200 repositories of one organization, each with its own secret, plus 15 of another sharing one secret.
  await prisma().repository.createMany({
    data: Array.from({ length: 200 }, (_, i) => ({
      name: uniqueName(`r${i}`),
      url: `https://github.com/${org}/repo-${i}.git`,
      encryptedWebhookSecret: seal(`secret-${i}-${randomUUID()}`),
    })),
  });
  await prisma().repository.createMany({
    data: Array.from({ length: 15 }, (_, i) => ({
      name: uniqueName(`s${i}`),
      url: `https://github.com/${shared}/svc-${i}.git`,
      encryptedWebhookSecret: seal(sharedSecret),
    })),
  });
});

describe("deliveries without a repository id", () => {
  it("a forged 1 MB organization ping costs at most MAX_CANDIDATES HMACs, not 200", async () => {
    const forged = signedDelivery("github", "not-any-secret", orgPing(org, 1_000_000 - 400), { event: "ping" });
    expect(forged.body.length).toBeLessThanOrEqual(1024 * 1024);
    const answer = await deliver(forged);
    expect(answer.status).toBe(401);
    expect(answer.hmacs).toBeLessThanOrEqual(MAX_CANDIDATES);
    expect(MAX_CANDIDATES).toBeLessThan(200);
  });

  it("a ping that names no repository and no organization is ignored without any HMAC", async () => {
    const answer = await deliver(signedDelivery("github", "whatever", { zen: "Keep it logically awesome.", hook_id: 1 }, { event: "ping" }));
    expect(answer).toMatchObject({ status: 202, hmacs: 0, body: { outcome: "ignored" } });
  });

  it("a ping for an organization Tideline has no repository of is ignored without any HMAC", async () => {
    const answer = await deliver(signedDelivery("github", "whatever", orgPing(uniqueName("nobody")), { event: "ping" }));
    expect(answer).toMatchObject({
      status: 202,
      hmacs: 0,
      body: { outcome: "ignored", reason: expect.stringMatching(/^no repository with webhooks enabled belongs to /) },
    });
  });

  it("a forged push naming one repository costs one HMAC; one naming none costs none", async () => {
    const named = await deliver(signedDelivery("github", "forged", githubPayload({ url: `https://github.com/${org}/repo-7.git`, after: "a".repeat(40) })));
    expect(named).toMatchObject({ status: 401, hmacs: 1 });
    const unknown = await deliver(
      signedDelivery("github", "forged", githubPayload({ url: `https://github.com/${org}/not-tracked.git`, after: "a".repeat(40) })),
    );
    expect(unknown).toMatchObject({ status: 404, hmacs: 0 });
    expect(fetched).toEqual([]);
  });

  it("a genuine organization ping verifies with one HMAC for the secret its repositories share", async () => {
    const answer = await deliver(signedDelivery("github", sharedSecret, orgPing(shared), { event: "ping" }));
    expect(answer).toMatchObject({ status: 200, hmacs: 1, body: { outcome: "accepted" } });
  });

  it("a genuine push to an organization repository is still accepted and fetched", async () => {
    const url = `https://github.com/${shared}/svc-3.git`;
    const repo = await prisma().repository.findFirstOrThrow({ where: { url } });
    const answer = await deliver(signedDelivery("github", sharedSecret, githubPayload({ url, after: "b".repeat(40) })));
    expect(answer).toMatchObject({ status: 202, hmacs: 1, body: { outcome: "accepted" } });
    expect(fetched).toEqual([repo.id]);
  });
});

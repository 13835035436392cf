// Git push webhooks end to end: signed GitHub/GitLab/Gitea/generic deliveries through the real
// route handlers, a real Git server and Postgres; the pushed commit gets indexed and environments reconcile.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { createSession } from "../../lib/auth/sessions";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { fetchDeps } from "../../server/root";
import { GIT_WEBHOOK_MAX_BYTES } from "../../lib/webhooks/git-webhook";
import type { WebhookProvider } from "../../lib/webhooks/verify";
import { commitFile } from "../../support/demo-repo";
import { demoSetup } from "../helpers/environments";
import { startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { callRoute, routeModule } from "../helpers/routes";
import { eventually } from "../helpers/testbed";
import { startTestWorker, stopTestWorker, waitForJobsIdle } from "../helpers/worker";
import { PAYLOADS, githubPayload, gitlabPayload, signedDelivery, type Delivery } from "./senders";

let git: GitFixtures;
let setup: Awaited<ReturnType<typeof demoSetup>>;
let secret: string;
let admin: string;
let developer: string;

async function send(delivery: Delivery, repositoryId: string | null, query = ""): Promise<{ status: number; body: Record<string, any> }> {
  const route = repositoryId === null ? "webhooks/git" : "webhooks/git/[repositoryId]";
  const handler = (await routeModule(route)).POST!;
  const url = `/api/webhooks/git${repositoryId === null ? "" : `/${repositoryId}`}${query}`;
  const req = new NextRequest(new URL(url, "http://tideline.test"), { method: "POST", headers: delivery.headers, body: delivery.body });
  const params: Record<string, string> = repositoryId === null ? {} : { repositoryId };
  const res = await handler(req, { params: Promise.resolve(params) });
  return { status: res.status, body: await res.json() };
}

async function deliveries(query: Record<string, string> = {}) {
  const qs = new URLSearchParams(query).toString();
  const res = await callRoute({ file: "webhooks/deliveries", method: "GET", url: `/api/webhooks/deliveries?${qs}`, cookie: developer });
  expect(res.status).toBe(200);
  return (
    (await res.json()) as {
      items: Array<{
        deliveryId: string | null;
        outcome: string;
        reason: string | null;
        source: string;
        event: string | null;
        summary: any;
        repository: { id: string; name: string | null } | null;
      }>;
    }
  ).items;
}

const indexed = (repositoryId: string, sha: string) => prisma().commit.findUnique({ where: { repositoryId_sha: { repositoryId, sha } } });
/** No fetch of the repository is running (so "nothing was fetched" can be asserted). */
const idle = (repositoryId: string) => waitForJobsIdle("repository.fetch", repositoryId);
const commit = (message: string, branch = "main") => commitFile(setup.bare, { branch, path: `notes/${uniqueName("n")}.txt`, content: `${message}\n`, message });

beforeAll(async () => {
  await startTestWorker();
  git = await startGitFixtures();
  setup = await demoSetup(git);
  admin = (await createSession(prisma(), (await makeUser("admin")).id, 1)).token;
  developer = (await createSession(prisma(), (await makeUser("developer")).id, 1)).token;
  const res = await callRoute({ file: "repositories/[id]/webhook-secret", method: "POST", params: { id: setup.repo.id }, cookie: admin, body: {} });
  expect(res.status).toBe(200);
  secret = (await res.json()).secret;
});
afterAll(async () => {
  await stopTestWorker();
  await git.stop();
});

describe("enabling the webhook", () => {
  it("returns the secret once, with the payload URL and per-provider steps; it is stored sealed and never shown again", async () => {
    const other = await prisma().repository.create({ data: { name: uniqueName("hook"), url: "https://git.example.test/a/b.git" } });
    const res = await callRoute({
      file: "repositories/[id]/webhook-secret",
      method: "POST",
      url: `/api/repositories/${other.id}/webhook-secret`,
      params: { id: other.id },
      cookie: admin,
      body: {},
    });
    const body = await res.json();
    expect(body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.url).toBe(`http://tideline.test/api/webhooks/git/${other.id}`);
    expect(body.urlMatchingUrl).toBe("http://tideline.test/api/webhooks/git");
    expect(Object.keys(body.instructions).sort()).toEqual(["generic", "gitea", "github", "gitlab"]);
    expect(JSON.stringify(body.instructions)).not.toContain(body.secret);

    const stored = await prisma().repository.findUniqueOrThrow({ where: { id: other.id } });
    expect(stored.encryptedWebhookSecret).toBeTruthy();
    expect(stored.encryptedWebhookSecret).not.toContain(body.secret);
    const read = await callRoute({ file: "repositories/[id]", method: "GET", params: { id: other.id }, cookie: developer });
    const text = await read.text();
    expect(JSON.parse(text).repository.webhookConfigured).toBe(true);
    expect(text).not.toContain(body.secret);
    const audit = await prisma().auditEvent.findMany({ where: { targetId: other.id } });
    expect(audit.map((a) => a.action)).toEqual(["repository.webhook.enable"]);
    expect(JSON.stringify(audit)).not.toContain(body.secret);
  });

  it("rotating invalidates the old secret; disabling refuses deliveries", async () => {
    const url = `https://git.example.test/team/${uniqueName("r")}.git`;
    const other = await prisma().repository.create({ data: { name: uniqueName("hook"), url } });
    const enable = () =>
      callRoute({ file: "repositories/[id]/webhook-secret", method: "POST", params: { id: other.id }, cookie: admin, body: {} }).then((r) => r.json());
    const first = await enable();
    const ping = (s: string) =>
      signedDelivery("github", s, { zen: "Keep it logically awesome.", hook_id: 1, repository: { html_url: url.replace(/\.git$/, "") } }, { event: "ping" });
    expect((await send(ping(first.secret), other.id)).status).toBe(200);

    const second = await enable();
    expect(second.rotated).toBe(true);
    const stale = await send(ping(first.secret), other.id);
    expect(stale.status).toBe(401);
    expect(stale.body.reason).toBe("signature does not match the configured secret");
    expect((await send(ping(second.secret), other.id)).body).toMatchObject({ outcome: "accepted" });

    const off = await callRoute({ file: "repositories/[id]/webhook-secret", method: "DELETE", params: { id: other.id }, cookie: admin });
    expect(off.status).toBe(200);
    const refused = await send(ping(second.secret), other.id);
    expect(refused.status).toBe(403);
    expect(refused.body.reason).toBe("webhooks are not enabled for this repository");
    expect((await prisma().auditEvent.findMany({ where: { targetId: other.id }, orderBy: { at: "asc" } })).map((a) => a.action)).toEqual([
      "repository.webhook.enable",
      "repository.webhook.rotate",
      "repository.webhook.disable",
    ]);
  });
});

describe("push deliveries", () => {
  it.each<WebhookProvider>(["github", "gitlab", "gitea", "generic"])(
    "%s: a signed push gets the new commit indexed within seconds and is listed as accepted",
    async (provider) => {
      const sha = await commit(`${provider} push`);
      expect(await indexed(setup.repo.id, sha)).toBeNull();
      const delivery = signedDelivery(provider, secret, PAYLOADS[provider]({ url: setup.repo.url, after: sha }));
      const started = Date.now();
      const res = await send(delivery, setup.repo.id);
      expect(Date.now() - started).toBeLessThan(2000); // answered before the fetch finishes
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ outcome: "accepted", deliveryId: delivery.deliveryId });

      expect(
        await eventually(
          () => indexed(setup.repo.id, sha),
          (c) => c !== null,
          10_000,
        ),
      ).not.toBeNull();
      const listed = (await deliveries({ repositoryId: setup.repo.id, source: provider })).find((d) => d.deliveryId === delivery.deliveryId);
      expect(listed).toMatchObject({ outcome: "accepted", source: provider, reason: null, repository: { id: setup.repo.id, name: setup.repo.name } });
      expect(listed!.summary).toMatchObject({ branch: "main", after: sha, commits: 1 });
      expect(listed!.summary.pusher).toBe({ github: "octocat", gitlab: "jsmith", gitea: "ops-bot", generic: "ci-bot" }[provider]);
    },
  );

  it("an environment following the branch reconciles to the pushed revision", async () => {
    const ns = uniqueName("wh").toLowerCase();
    await commitFile(setup.bare, {
      branch: "main",
      path: `envs/${ns}/kustomization.yaml`,
      content: `namespace: ${ns}\nresources:\n  - ../../apps/guestbook/overlays/dev\n`,
      message: `add ${ns}`,
    });
    await idle(setup.repo.id);
    await fetchRepository(fetchDeps(), setup.repo.id);
    const env = await setup.addEnv({ name: uniqueName("dev").toLowerCase(), path: `envs/${ns}`, namespace: ns });

    const sha = await commitFile(setup.bare, {
      branch: "main",
      path: `envs/${ns}/kustomization.yaml`,
      content: `namespace: ${ns}\nresources:\n  - ../../apps/guestbook/overlays/dev\ncommonLabels:\n  tideline.test/webhook: "yes"\n`,
      message: "label everything",
    });
    const res = await send(signedDelivery("github", secret, githubPayload({ url: setup.repo.url, after: sha })), setup.repo.id);
    expect(res.status).toBe(202);
    const after = await eventually(
      () => prisma().environment.findUniqueOrThrow({ where: { id: env.id } }),
      (e) => e.desiredRevision === sha,
      30_000,
    );
    expect(after.desiredRevision).toBe(sha);
    expect(after.renderError).toBeNull();
  });

  it("the URL-matching endpoint finds the repository by the payload's URL and verifies with its secret", async () => {
    const sha = await commit("org-wide hook");
    const delivery = signedDelivery("gitea", secret, PAYLOADS.gitea({ url: setup.repo.url, after: sha }));
    const res = await send(delivery, null);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ outcome: "accepted", repositoryId: setup.repo.id });
    expect(
      await eventually(
        () => indexed(setup.repo.id, sha),
        (c) => c !== null,
        10_000,
      ),
    ).not.toBeNull();

    const unknown = await send(signedDelivery("github", secret, githubPayload({ url: "https://github.com/someone/else.git", after: sha })), null);
    expect(unknown.status).toBe(404);
    expect(unknown.body.reason).toBe(
      "no repository with webhooks enabled has the URL https://github.com/someone/else, ssh://github.com/someone/else, git://github.com/someone/else",
    );
    const forged = await send(signedDelivery("github", "not-the-secret", githubPayload({ url: setup.repo.url, after: sha })), null);
    expect(forged.status).toBe(401);
  });

  it("answers a ping", async () => {
    const res = await send(
      signedDelivery(
        "github",
        secret,
        { zen: "Design for failure.", hook_id: 1, hook: { type: "Repository", events: ["push"] }, repository: { html_url: setup.repo.url } },
        { event: "ping" },
      ),
      setup.repo.id,
    );
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe("accepted");
    const listed = (await deliveries({ repositoryId: setup.repo.id })).find((d) => d.event === "ping");
    expect(listed?.summary).toEqual({ kind: "ping" });
  });
});

describe("bad input", () => {
  it("a bad signature gets 401, is listed as rejected with the reason, and fetches nothing", async () => {
    await idle(setup.repo.id);
    const before = await prisma().repository.findUniqueOrThrow({ where: { id: setup.repo.id } });
    const sha = await commit("forged push");
    const delivery = signedDelivery("github", "guessed-secret", githubPayload({ url: setup.repo.url, after: sha }));
    const res = await send(delivery, setup.repo.id);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ outcome: "rejected", reason: "signature does not match the configured secret" });
    expect(JSON.stringify(res.body)).not.toContain(secret);

    const listed = (await deliveries({ repositoryId: setup.repo.id, outcome: "rejected" })).find((d) => d.summary?.claimedDeliveryId === delivery.deliveryId);
    expect(listed).toMatchObject({ outcome: "rejected", reason: "signature does not match the configured secret", deliveryId: null, event: "push" });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await indexed(setup.repo.id, sha)).toBeNull();
    expect((await prisma().repository.findUniqueOrThrow({ where: { id: setup.repo.id } })).lastFetchedAt).toEqual(before.lastFetchedAt);

    // GitLab compares the token itself; a missing signature is named.
    const gitlab = signedDelivery("gitlab", "wrong-token", PAYLOADS.gitlab({ url: setup.repo.url, after: sha }));
    expect((await send(gitlab, setup.repo.id)).body.reason).toBe("X-Gitlab-Token does not match the configured secret");
    const unsigned = signedDelivery("gitea", secret, PAYLOADS.gitea({ url: setup.repo.url, after: sha }));
    delete unsigned.headers["x-gitea-signature"];
    expect((await send(unsigned, setup.repo.id)).body.reason).toMatch(/^missing X-Gitea-Signature header/);
  });

  it("a replayed delivery id gets 409 and is listed as a rejected replay", async () => {
    const sha = await commit("replayed push");
    const delivery = signedDelivery("github", secret, githubPayload({ url: setup.repo.url, after: sha }));
    expect((await send(delivery, setup.repo.id)).status).toBe(202);
    const again = await send(delivery, setup.repo.id);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ outcome: "rejected", reason: "already received" });
    const rejected = await deliveries({ repositoryId: setup.repo.id, outcome: "rejected" });
    expect(rejected.find((d) => d.reason === `replayed delivery ${delivery.deliveryId}: already received`)).toBeTruthy();

    // Generic deliveries without an id are identified by their signature; the timestamp bounds the window.
    const generic = signedDelivery("generic", secret, PAYLOADS.generic({ url: setup.repo.url, after: sha }));
    delete generic.headers["x-tideline-delivery"];
    expect((await send(generic, setup.repo.id)).status).toBe(202);
    expect((await send(generic, setup.repo.id)).status).toBe(409);
    const old = signedDelivery("generic", secret, PAYLOADS.generic({ url: setup.repo.url, after: sha }), { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    const late = await send(old, setup.repo.id);
    expect(late.status).toBe(401);
    expect(late.body.reason).toMatch(/deliveries older than 300 s are refused as replays/);
  });

  it("an oversized payload gets 413 and is recorded as rejected", async () => {
    const payload = { ...githubPayload({ url: setup.repo.url, after: "a".repeat(40) }), padding: "x".repeat(GIT_WEBHOOK_MAX_BYTES) };
    const delivery = signedDelivery("github", secret, payload);
    const res = await send(delivery, setup.repo.id);
    expect(res.status).toBe(413);
    expect(res.body.error.message).toMatch(new RegExp(`^payload is (at least )?\\d+ bytes; the limit is ${GIT_WEBHOOK_MAX_BYTES} bytes$`));
    const listed = (await deliveries({ repositoryId: setup.repo.id, outcome: "rejected" })).find((d) => d.summary?.claimedDeliveryId === delivery.deliveryId);
    expect(listed?.reason).toBe(res.body.error.message);
    expect(listed?.summary.limitBytes).toBe(GIT_WEBHOOK_MAX_BYTES);
  });

  it("a tag push, a branch deletion and other events are ignored with a reason", async () => {
    const tag = await send(
      signedDelivery("github", secret, githubPayload({ url: setup.repo.url, after: "b".repeat(40), ref: "refs/tags/v9.9.9" })),
      setup.repo.id,
    );
    expect(tag.status).toBe(202);
    expect(tag.body).toMatchObject({ outcome: "ignored", reason: "tag push (refs/tags/v9.9.9); Tideline follows branches, not tags" });
    const gitlabTag = await send(
      signedDelivery(
        "gitlab",
        secret,
        { ...gitlabPayload({ url: setup.repo.url, after: "c".repeat(40), ref: "refs/tags/v1" }), object_kind: "tag_push" },
        { event: "Tag Push Hook" },
      ),
      setup.repo.id,
    );
    expect(gitlabTag.body).toMatchObject({ outcome: "ignored", reason: "tag push; Tideline follows branches, not tags" });
    const deleted = await send(
      signedDelivery("gitea", secret, PAYLOADS.gitea({ url: setup.repo.url, after: "0".repeat(40), ref: "refs/heads/old" })),
      setup.repo.id,
    );
    expect(deleted.body).toMatchObject({ outcome: "ignored", reason: "branch old was deleted" });
    const issue = await send(signedDelivery("github", secret, { action: "opened", issue: { number: 1 } }, { event: "issues" }), setup.repo.id);
    expect(issue.body).toMatchObject({ outcome: "ignored", reason: 'GitHub "issues" events are ignored; only push triggers a refresh' });
    const ignored = await deliveries({ repositoryId: setup.repo.id, outcome: "ignored" });
    expect(ignored.map((d) => d.reason)).toContain("tag push (refs/tags/v9.9.9); Tideline follows branches, not tags");
  });

  it("a payload for another repository is rejected", async () => {
    const res = await send(
      signedDelivery("github", secret, githubPayload({ url: "https://github.com/acme/other-config.git", after: "d".repeat(40) })),
      setup.repo.id,
    );
    expect(res.status).toBe(422);
    expect(res.body.outcome).toBe("rejected");
    expect(res.body.reason).toMatch(/^payload is for https:\/\/github\.com\/acme\/other-config, not this repository/);
    const listed = await deliveries({ repositoryId: setup.repo.id, outcome: "rejected" });
    expect(listed.some((d) => d.reason?.startsWith("payload is for https://github.com/acme/other-config"))).toBe(true);
  });

  it("an unknown repository gets 404 (recorded without a repository); an unknown sender 400; malformed pushes name the field", async () => {
    const missing = "cx0000000000000000000000";
    const res = await send(signedDelivery("github", secret, githubPayload({ url: setup.repo.url, after: "e".repeat(40) })), missing);
    expect(res.status).toBe(404);
    const all = await deliveries({ outcome: "rejected", source: "github" });
    const row = all.find((d) => d.summary?.repositoryId === missing);
    expect(row).toMatchObject({ repository: null });

    const anonymous = await send({ headers: { "content-type": "application/json" }, body: "{}", deliveryId: "" }, setup.repo.id);
    expect(anonymous.status).toBe(400);
    expect(anonymous.body.reason).toMatch(/^cannot tell which Git provider sent this/);
    const wrongProvider = await send(
      signedDelivery("github", secret, githubPayload({ url: setup.repo.url, after: "e".repeat(40) })),
      setup.repo.id,
      "?provider=gitlab",
    );
    expect(wrongProvider.status).toBe(401);

    const { repository: _drop, ...noRepo } = githubPayload({ url: setup.repo.url, after: "e".repeat(40) });
    const malformed = await send(signedDelivery("github", secret, noRepo), setup.repo.id);
    expect(malformed.status).toBe(422);
    expect(malformed.body.reason).toBe("Invalid GitHub push payload: repository: Required");
  });
});

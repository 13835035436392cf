// Image automation end to end: a real registry (Distribution) and a real Git server, policies that
// commit or propose tag bumps, the environment syncing them into the test bed, registry failures,
// the CI/registry webhook (token, HMAC, replay, size limit, real registry notifications).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "../../lib/auth/api-tokens";
import { createSession } from "../../lib/auth/sessions";
import { checkPolicy } from "../../lib/images/automation";
import { trackSyncedUpdates } from "../../lib/images/automation-sync";
import { enqueueDuePolicies } from "../../lib/images/image-jobs";
import { liveJobCount, startTestWorker, stopTestWorker, waitForJobsIdle } from "../helpers/worker";
import { jobHandlers } from "../../server/worker";
import { createPolicy, getPolicy, updatePolicy, type CreatePolicyInput } from "../../lib/images/policies";
import { clearRegistryTokenCache } from "../../lib/images/registry-client";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { reconcileEnvironment } from "../../lib/reconcile/reconcile-environment";
import { fetchDeps, imageDeps, jobs, reconcileDeps, sealDeps } from "../../server/root";
import { kubeRequest } from "../../lib/kube/transport";
import { signGeneric } from "../../lib/webhooks/verify";
import { POST as webhook } from "../../app/api/webhooks/images/route";
import { commitFile } from "../../support/demo-repo";
import { startRegistry, type TestRegistry } from "../../support/registry";
import { startGitFixtures, gitIn, type GitFixtures } from "../helpers/git-fixtures";
import { demoSetup } from "../helpers/environments";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { callRoute } from "../helpers/routes";
import { adminClient, eventually } from "../helpers/testbed";

const REPO = "example/guestbook";
let git: GitFixtures;
let setup: Awaited<ReturnType<typeof demoSetup>>;
let registry: TestRegistry;
let forwarder: http.Server;
let forwarding = false;
const forwarded: Array<{ status: number; body: string }> = [];
let admin: Awaited<ReturnType<typeof makeUser>>;
let adminToken: string; // API token with image.manage
const cleanups: Array<() => Promise<unknown>> = [];
const image = () => `${registry.host}/${REPO}`;

/** The registry's notification endpoint: passes envelopes to the route handler once the test turns it on. */
async function startForwarder(): Promise<string> {
  forwarder = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      if (!forwarding) return void res.writeHead(200).end();
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const answer = await webhook(new Request(`http://tideline.test/api/webhooks/images`, { method: "POST", headers, body: Buffer.concat(chunks) }));
      const body = await answer.text();
      forwarded.push({ status: answer.status, body });
      res.writeHead(answer.status, { "content-type": "application/json" }).end(body);
    });
  });
  await new Promise<void>((r) => forwarder.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(forwarder.address() as AddressInfo).port}/notify`;
}

beforeAll(async () => {
  admin = await makeUser("admin");
  adminToken = (await createApiToken(prisma(), admin, { name: "ci", scopes: ["image.manage"], expiresInDays: 1 })).token;
  const notifyUrl = await startForwarder();
  registry = await startRegistry({ notifyUrl, notifyHeaders: { Authorization: `Bearer ${adminToken}` } });
  for (const tag of ["1.4.0", "1.5.0", "2.0.0-rc.1", "latest"]) await registry.pushImage(REPO, tag);
  git = await startGitFixtures();
  setup = await demoSetup(git);
  // The loop's follow-ups (fetch after the push, reconcile, auto-sync) run as jobs.
  await startTestWorker();
}, 180_000);

afterAll(async () => {
  await stopTestWorker();
  for (const c of cleanups.reverse()) await c().catch(() => {});
  await registry?.stop();
  await new Promise((r) => forwarder?.close(r));
  await git?.stop();
});

const kustomization = (ns: string, tag: string) => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${ns}
resources:
  - ../../apps/guestbook/overlays/dev
images:
  - name: ghcr.io/example/guestbook
    newName: ${image()}
    newTag: ${tag}
`;

/** An environment whose kustomization points the guestbook image at the test registry. */
async function imageEnv(name: string, tag: string, opts: { autoSync?: boolean } = {}) {
  const ns = uniqueName("img").toLowerCase();
  const path = `images/${ns}/kustomization.yaml`;
  await commitFile(setup.bare, { branch: "main", path, content: kustomization(ns, tag), message: `add ${ns}` });
  await fetchRepository(fetchDeps(), setup.repo.id);
  const env = await setup.addEnv({ name, path: `images/${ns}`, namespace: ns, autoSync: opts.autoSync ?? false });
  return { env, ns, path };
}

const policyInput = (name: string, environmentIds: string[], extra: Partial<CreatePolicyInput> = {}): CreatePolicyInput => ({
  name,
  image: image(),
  insecure: false,
  policy: { type: "semver", range: ">=1.0.0 <2" },
  allowDowngrade: false,
  writeMode: "commit",
  intervalSeconds: 300,
  environmentIds,
  ...extra,
});

const show = (path: string) => gitIn(setup.bare, "show", `main:${path}`);
const update = (policyId: string, environmentId: string, tag: string) =>
  prisma().imageUpdate.findUnique({ where: { policyId_environmentId_tag: { policyId, environmentId, tag } } });

async function postWebhook(body: string, headers: Record<string, string>, url = "http://tideline.test/api/webhooks/images") {
  const res = await webhook(new Request(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body }));
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

describe("commit mode", () => {
  let policyId: string;
  let target: Awaited<ReturnType<typeof imageEnv>>;

  it("commits the newest allowed tag to the environment's branch, readable and authored by automation", async () => {
    target = await imageEnv("auto", "1.4.0", { autoSync: true });
    const first = await reconcileEnvironment(reconcileDeps(), target.env.id);
    expect(first.ran && first.synced?.status).toBe("succeeded");

    const policy = await createPolicy(sealDeps(), policyInput(uniqueName("gb").toLowerCase(), [target.env.id]));
    policyId = policy.id;
    const outcome = await checkPolicy(imageDeps(), policyId, { trigger: "poll" });
    expect(outcome).toMatchObject({ ok: true, latestTag: "1.5.0", tagsListed: 4, tagsSkipped: 2 });
    expect(outcome.skippedSample.map((s) => s.tag).sort()).toEqual(["2.0.0-rc.1", "latest"]);
    expect(outcome.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(outcome.environments).toEqual([expect.objectContaining({ status: "committed", from: "1.4.0", to: "1.5.0" })]);

    const file = await show(target.path);
    expect(file).toContain(`    newName: ${image()}\n    newTag: 1.5.0`);
    expect(file).toBe(kustomization(target.ns, "1.5.0").trimEnd());
    const head = await gitIn(setup.bare, "rev-parse", "main");
    expect(outcome.environments[0]!.commitSha).toBe(head);
    const [author, email, ...message] = (await gitIn(setup.bare, "log", "-1", "--format=%an%n%ae%n%B", "main")).split("\n");
    expect(author).toBe("Tideline Image Automation");
    expect(email).toBe("image-automation@tideline.local");
    expect(message[0]).toBe("chore(images): guestbook 1.4.0 -> 1.5.0 in auto");
    expect(message.join("\n")).toContain(`Policy: ${policy.name}\nImage: ${image()}:1.5.0\n`);

    const row = await update(policyId, target.env.id, "1.5.0");
    expect(row).toMatchObject({ status: "committed", previousTag: "1.4.0", commitSha: head, trigger: "poll", digest: outcome.digest });
    const stored = await prisma().imagePolicy.findUniqueOrThrow({ where: { id: policyId } });
    expect(stored).toMatchObject({ latestTag: "1.5.0", lastError: null, lastRequests: 2 });
    expect(stored.nextCheckAt.getTime()).toBeGreaterThan(Date.now() + 290_000);
  }, 180_000);

  it("the environment syncs the commit into the test bed and the update is marked synced", async () => {
    const live = await eventually(
      async () =>
        (
          await kubeRequest<{ spec: { template: { spec: { containers: Array<{ image: string }> } } } }>(
            adminClient(),
            "GET",
            `/apis/apps/v1/namespaces/${target.ns}/deployments/guestbook`,
          )
        ).spec.template.spec.containers[0]!.image,
      (img) => img === `${image()}:1.5.0`,
      120_000,
    );
    expect(live).toBe(`${image()}:1.5.0`);
    const row = await eventually(
      async () => (await trackSyncedUpdates(imageDeps()), update(policyId, target.env.id, "1.5.0")),
      (r) => r?.status === "synced",
      60_000,
    );
    expect(row?.status).toBe("synced");
    expect(row!.syncedAt!.getTime()).toBeGreaterThanOrEqual(row!.committedAt!.getTime());
  }, 180_000);

  it("does nothing when the environment already runs the newest tag", async () => {
    const head = await gitIn(setup.bare, "rev-parse", "main");
    const outcome = await checkPolicy(imageDeps(), policyId, { trigger: "poll" });
    expect(outcome.environments).toEqual([expect.objectContaining({ status: "up_to_date", to: "1.5.0" })]);
    expect(await gitIn(setup.bare, "rev-parse", "main")).toBe(head);
    expect(outcome.requests).toBe(1); // the tag list; the digest of an unchanged tag is remembered
  });

  describe("webhooks", () => {
    it("a CI job with an API token (image.manage) gets the commit in the answer", async () => {
      await registry.pushImage(REPO, "1.6.0");
      const { status, json } = await postWebhook(JSON.stringify({ image: `${image()}:1.6.0` }), { authorization: `Bearer ${adminToken}` });
      expect(status).toBe(202);
      const mine = json.policies.find((p: { policyId: string }) => p.policyId === policyId);
      expect(mine).toMatchObject({ trigger: "webhook", latestTag: "1.6.0", pushed: { tag: "1.6.0", selected: true } });
      expect(mine.environments).toEqual([
        expect.objectContaining({ status: "committed", from: "1.5.0", to: "1.6.0", commitSha: await gitIn(setup.bare, "rev-parse", "main") }),
      ]);
      expect(await show(target.path)).toContain("newTag: 1.6.0");
      expect(await update(policyId, target.env.id, "1.6.0")).toMatchObject({ status: "committed", trigger: "webhook" });
      const delivery = await prisma().webhookDelivery.findFirstOrThrow({ where: { source: "ci" }, orderBy: { receivedAt: "desc" } });
      expect(delivery).toMatchObject({ outcome: "accepted", event: "push" });
      expect(delivery.reason).toContain("1.6.0");
    }, 60_000);

    it("refuses tokens without image.manage, and requests with no credentials", async () => {
      const reader = (await createApiToken(prisma(), admin, { name: "reader", scopes: ["image.read"], expiresInDays: 1 })).token;
      expect((await postWebhook(JSON.stringify({ image: `${image()}:1.6.0` }), { authorization: `Bearer ${reader}` })).status).toBe(403);
      expect((await postWebhook(JSON.stringify({ image: `${image()}:1.6.0` }), {})).status).toBe(401);
      expect((await postWebhook(JSON.stringify({ image: `${image()}:1.6.0` }), { authorization: "Bearer tl_forged" })).status).toBe(401);
    });

    it("refuses a token in the URL (it would be logged), and ignores images no policy watches", async () => {
      const viaQuery = await postWebhook(JSON.stringify({ image: `${image()}:1.6.0` }), {}, `http://tideline.test/api/webhooks/images?token=${adminToken}`);
      expect(viaQuery.status).toBe(401);
      expect(viaQuery.json.error?.message ?? viaQuery.json.reason ?? JSON.stringify(viaQuery.json)).toContain("not accepted in the URL");
      const unwatched = await postWebhook(JSON.stringify({ image: "ghcr.io/nobody/unwatched:1.0.0" }), {
        authorization: `Bearer ${adminToken}`,
        "x-tideline-delivery": uniqueName("d"),
      });
      expect(unwatched.status).toBe(200);
      expect(unwatched.json.message).toContain("no image policy watches ghcr.io/nobody/unwatched");
      const delivery = await prisma().webhookDelivery.findFirstOrThrow({ where: { source: "ci", outcome: "ignored" }, orderBy: { receivedAt: "desc" } });
      expect(delivery.reason).toContain("ghcr.io/nobody/unwatched");
    });

    it("HMAC with the installation secret works once; replays get 409, bad signatures 401 (recorded)", async () => {
      const session = (await createSession(prisma(), admin.id, 1)).token;
      await registry.pushImage(REPO, "1.7.0");
      const body = JSON.stringify({ image: image(), tag: "1.7.0" });
      const ts = Math.floor(Date.now() / 1000);
      // The authorization test (another file, run in parallel) may rotate the installation secret
      // between our rotation and our delivery: rotate again and resend in that case.
      let headers: Record<string, string> = {};
      let ok = { status: 0, json: {} as any };
      for (let attempt = 0; attempt < 3 && ok.status !== 202; attempt += 1) {
        const rotated = await callRoute({ file: "images/ci-secret", method: "POST", cookie: session, body: {} });
        expect(rotated.status).toBe(201);
        const { secret } = (await rotated.json()) as { secret: string };
        headers = { "x-tideline-signature": signGeneric(secret, body, ts), "x-tideline-timestamp": String(ts) };
        ok = await postWebhook(body, headers);
      }
      expect(ok.status).toBe(202);
      expect(ok.json.policies.find((p: { policyId: string }) => p.policyId === policyId).environments[0]).toMatchObject({ status: "committed", to: "1.7.0" });
      expect(await show(target.path)).toContain("newTag: 1.7.0");

      expect((await postWebhook(body, headers)).status).toBe(409);
      const replay = await prisma().webhookDelivery.findFirstOrThrow({ where: { source: "ci", outcome: "rejected" }, orderBy: { receivedAt: "desc" } });
      expect(replay.reason).toContain("replayed delivery");

      const forged = await postWebhook(body, { ...headers, "x-tideline-signature": signGeneric("wrong-secret", body, ts) });
      expect(forged.status).toBe(401);
      const rejected = await prisma().webhookDelivery.findFirstOrThrow({ where: { source: "ci", outcome: "rejected" }, orderBy: { receivedAt: "desc" } });
      expect(rejected.reason).toContain("signature does not match");
    }, 60_000);

    it("answers 413 to bodies over 256 KB", async () => {
      const big = JSON.stringify({ image: `${image()}:1.7.0`, padding: "x".repeat(300 * 1024) });
      const res = await postWebhook(big, { authorization: `Bearer ${adminToken}` });
      expect(res.status).toBe(413);
      expect(res.json.error.message).toContain("limit is 262144 bytes");
    });

    it("the real registry's push notification (Authorization header from its config) commits the pushed tag", async () => {
      forwarding = true;
      try {
        await registry.pushImage(REPO, "1.8.0");
        const row = await eventually(
          () => update(policyId, target.env.id, "1.8.0"),
          (r) => r?.status === "committed",
          30_000,
        );
        expect(row).toMatchObject({ status: "committed", trigger: "webhook" });
        expect(await show(target.path)).toContain("newTag: 1.8.0");
        // The registry's request is answered once the check is done (shortly after the row is written).
        const accepted = () => forwarded.filter((f) => f.status === 202).flatMap((f) => JSON.parse(f.body).images as Array<{ tag: string }>);
        const pushed = await eventually(accepted, (images) => images.some((i) => i.tag === "1.8.0"), 30_000);
        expect(pushed).toContainEqual(expect.objectContaining({ image: image(), tag: "1.8.0", digest: expect.stringMatching(/^sha256:/) }));
        const delivery = await prisma().webhookDelivery.findFirstOrThrow({
          where: { source: "registry", outcome: "accepted" },
          orderBy: { receivedAt: "desc" },
        });
        expect(delivery.deliveryId).toMatch(/^events-sha256:/);
      } finally {
        forwarding = false;
      }
    }, 60_000);
  });

  it("the sweep queues a due policy once however often it runs, and a worker's check moves it to its next interval", async () => {
    await prisma().imagePolicy.update({ where: { id: policyId }, data: { nextCheckAt: new Date(Date.now() - 1000) } });
    const before = (await prisma().imagePolicy.findUniqueOrThrow({ where: { id: policyId } })).lastCheckedAt!;
    const queue = { prisma: prisma(), jobs: jobs() };
    // Nobody takes image checks while the sweeps run, so what they queued can be counted.
    await jobs().boss.offWork("image.check");
    await Promise.all([enqueueDuePolicies(queue), enqueueDuePolicies(queue), enqueueDuePolicies(queue)]);
    expect(await liveJobCount("image.check", policyId)).toBe(1);
    await jobs().work({ "image.check": jobHandlers()["image.check"]! });
    await waitForJobsIdle("image.check", policyId);
    const after = await prisma().imagePolicy.findUniqueOrThrow({ where: { id: policyId } });
    expect(after.lastCheckedAt!.getTime()).toBeGreaterThan(before.getTime());
    expect(after.nextCheckAt.getTime()).toBeGreaterThan(Date.now() + 250_000);
  }, 60_000);
});

describe("change request mode", () => {
  it("opens one change request per update on its own branch, and never a duplicate", async () => {
    const target = await imageEnv("review", "1.4.0");
    const policy = await createPolicy(
      sealDeps(),
      policyInput(uniqueName("cr").toLowerCase(), [target.env.id], { writeMode: "change_request", policy: { type: "semver", range: ">=1.0.0 <1.6" } }),
    );
    cleanups.push(() => prisma().imagePolicy.delete({ where: { id: policy.id } }));
    const mainBefore = await gitIn(setup.bare, "rev-parse", "main");
    const outcome = await checkPolicy(imageDeps(), policy.id, { trigger: "poll" });
    expect(outcome.environments[0]).toMatchObject({ status: "change_request", from: "1.4.0", to: "1.5.0" });
    const branch = `tideline/images/${policy.name}/review-1.5.0`;
    const cr = await prisma().changeRequest.findFirstOrThrow({ where: { headBranch: branch } });
    expect(cr).toMatchObject({
      kind: "image-update",
      status: "open",
      baseBranch: "main",
      title: "chore(images): guestbook 1.4.0 -> 1.5.0 in review",
      authorName: "image-automation",
    });
    expect(await gitIn(setup.bare, "show", `${branch}:${target.path}`)).toContain("newTag: 1.5.0");
    expect(await gitIn(setup.bare, "rev-parse", "main")).toBe(mainBefore);
    expect(await show(target.path)).toContain("newTag: 1.4.0");
    expect(await update(policy.id, target.env.id, "1.5.0")).toMatchObject({ status: "change_request", changeRequestId: cr.id, commitSha: cr.headSha });

    const again = await checkPolicy(imageDeps(), policy.id, { trigger: "poll" });
    expect(again.environments[0]).toMatchObject({ status: "already_proposed", changeRequestId: cr.id });
    expect(await prisma().changeRequest.count({ where: { headBranch: branch } })).toBe(1);
  }, 120_000);
});

describe("downgrades", () => {
  it("are refused and recorded as skipped unless the policy allows them", async () => {
    const target = await imageEnv("pinned", "1.5.0");
    const policy = await createPolicy(
      sealDeps(),
      policyInput(uniqueName("dg").toLowerCase(), [target.env.id], { policy: { type: "semver", range: ">=1.0.0 <1.5" } }),
    );
    cleanups.push(() => prisma().imagePolicy.delete({ where: { id: policy.id } }));
    const refused = await checkPolicy(imageDeps(), policy.id, { trigger: "poll" });
    expect(refused.environments[0]).toMatchObject({ status: "skipped", from: "1.5.0", to: "1.4.0" });
    expect(refused.environments[0]!.reason).toContain("Refused downgrade 1.5.0 -> 1.4.0");
    expect(await update(policy.id, target.env.id, "1.4.0")).toMatchObject({ status: "skipped", error: expect.stringContaining("downgrade") });
    expect(await show(target.path)).toContain("newTag: 1.5.0");

    await updatePolicy(sealDeps(), policy.id, { allowDowngrade: true });
    const allowed = await checkPolicy(imageDeps(), policy.id, { trigger: "poll" });
    expect(allowed.environments[0]).toMatchObject({ status: "committed", from: "1.5.0", to: "1.4.0" });
    expect(await show(target.path)).toContain("newTag: 1.4.0");
    expect(await update(policy.id, target.env.id, "1.4.0")).toMatchObject({ status: "committed", error: null });
  }, 120_000);
});

describe("Flux markers in a plain YAML environment", () => {
  it("rewrites only the line whose $imagepolicy marker names this policy", async () => {
    const name = uniqueName("flux").toLowerCase();
    const ns = uniqueName("plain").toLowerCase();
    const path = `plain/${ns}/deployment.yaml`;
    const manifest = (web: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: ${image()}:${web} # {"$imagepolicy": "flux-system:${name}"}
        - name: canary
          image: ${image()}:1.4.0 # {"$imagepolicy": "flux-system:someone-else"}
`;
    await commitFile(setup.bare, { branch: "main", path, content: manifest("1.4.0"), message: "plain env" });
    await fetchRepository(fetchDeps(), setup.repo.id);
    const env = await setup.addEnv({ name: "plain", path: `plain/${ns}`, namespace: ns });
    const policy = await createPolicy(sealDeps(), policyInput(name, [env.id], { policy: { type: "semver", range: "~1.5" } }));
    cleanups.push(() => prisma().imagePolicy.delete({ where: { id: policy.id } }));
    const outcome = await checkPolicy(imageDeps(), policy.id, { trigger: "poll" });
    expect(outcome.environments[0]).toMatchObject({ status: "committed", to: "1.5.0" });
    expect(await show(path)).toBe(manifest("1.5.0").trimEnd());
  }, 60_000);
});

describe("registry failures", () => {
  it("a stopped registry leaves lastError unreachable and backs off", async () => {
    const target = await imageEnv("down", "1.4.0");
    const other = await startRegistry();
    await other.pushImage(REPO, "1.4.0");
    const policy = await createPolicy(sealDeps(), { ...policyInput(uniqueName("down").toLowerCase(), [target.env.id]), image: `${other.host}/${REPO}` });
    cleanups.push(() => prisma().imagePolicy.delete({ where: { id: policy.id } }));
    await other.stop();
    const first = await checkPolicy(imageDeps(), policy.id, { trigger: "poll" });
    expect(first).toMatchObject({ ok: false, error: { code: "unreachable" } });
    const row = await prisma().imagePolicy.findUniqueOrThrow({ where: { id: policy.id } });
    expect(row.lastError).toMatch(/^unreachable: Cannot reach registry .*connection refused/);
    const firstDelay = row.nextCheckAt.getTime() - row.lastCheckedAt!.getTime();
    expect(firstDelay).toBe(30_000);
    await checkPolicy(imageDeps(), policy.id, { trigger: "poll", scheduledAt: row.nextCheckAt });
    const again = await prisma().imagePolicy.findUniqueOrThrow({ where: { id: policy.id } });
    expect(again.nextCheckAt.getTime() - again.lastCheckedAt!.getTime()).toBe(60_000);
    expect(await prisma().imageUpdate.count({ where: { policyId: policy.id } })).toBe(0);
  }, 60_000);

  it("a wrong password gives upstream_auth; the right one works; the password is never returned", async () => {
    clearRegistryTokenCache();
    const target = await imageEnv("authed", "1.4.0");
    const locked = await startRegistry({ auth: "basic" });
    cleanups.push(() => locked.stop());
    await locked.pushImage(REPO, "1.4.0");
    await locked.pushImage(REPO, "1.4.1");
    const policy = await createPolicy(sealDeps(), {
      ...policyInput(uniqueName("auth").toLowerCase(), [target.env.id]),
      image: `${locked.host}/${REPO}`,
      username: locked.credentials!.username,
      password: "not-the-password",
    });
    cleanups.push(() => prisma().imagePolicy.delete({ where: { id: policy.id } }));
    expect(JSON.stringify(policy)).not.toContain("not-the-password");
    expect(policy).toMatchObject({ hasPassword: true, username: locked.credentials!.username });
    const refused = await checkPolicy(imageDeps(), policy.id, { trigger: "poll" });
    expect(refused.error?.code).toBe("upstream_auth");
    expect((await prisma().imagePolicy.findUniqueOrThrow({ where: { id: policy.id } })).lastError).toMatch(/^upstream_auth: .*rejected the credentials/);

    await updatePolicy(sealDeps(), policy.id, { password: locked.credentials!.password });
    const ok = await checkPolicy(imageDeps(), policy.id, { trigger: "poll" });
    expect(ok).toMatchObject({ ok: true, latestTag: "1.4.1" });
    // The environment names the other registry's image: reported, not written.
    expect(ok.environments[0]).toMatchObject({ status: "not_referenced" });
    expect((await getPolicy(prisma(), policy.id)).lastError).toMatch(/^not_referenced: /);
  }, 60_000);

  it("429 waits for Retry-After, and a webhook or manual check does not ask early", async () => {
    let hits = 0;
    const limiter = http.createServer((_req, res) => {
      hits += 1;
      res.writeHead(429, { "retry-after": "120", "content-type": "application/json" }).end('{"errors":[{"code":"TOOMANYREQUESTS"}]}');
    });
    await new Promise<void>((r) => limiter.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise((r) => limiter.close(r)));
    const target = await imageEnv("limited", "1.4.0");
    const host = `127.0.0.1:${(limiter.address() as AddressInfo).port}`;
    const policy = await createPolicy(sealDeps(), { ...policyInput(uniqueName("rl").toLowerCase(), [target.env.id]), image: `${host}/${REPO}` });
    cleanups.push(() => prisma().imagePolicy.delete({ where: { id: policy.id } }));
    const started = Date.now();
    const outcome = await checkPolicy(imageDeps(), policy.id, { trigger: "poll" });
    expect(outcome.error?.code).toBe("rate_limited");
    const row = await prisma().imagePolicy.findUniqueOrThrow({ where: { id: policy.id } });
    expect(row.lastError).toMatch(/^rate_limited: /);
    expect(row.nextCheckAt.getTime()).toBeGreaterThanOrEqual(started + 119_000);
    expect(row.nextCheckAt.getTime()).toBeLessThanOrEqual(Date.now() + 121_000);
    const seen = hits;
    const early = await checkPolicy(imageDeps(), policy.id, { trigger: "webhook", pushed: { tag: "1.9.0" } });
    expect(early.error?.code).toBe("rate_limited");
    expect((await checkPolicy(imageDeps(), policy.id, { trigger: "manual" })).error?.code).toBe("rate_limited");
    expect(hits).toBe(seen);
  }, 60_000);
});

describe("policy validation", () => {
  it("refuses bad images, unknown environments and short intervals", async () => {
    await expect(createPolicy(sealDeps(), policyInput(uniqueName("bad").toLowerCase(), [setup.app.id], {}))).rejects.toMatchObject({
      code: "invalid",
      message: expect.stringContaining("do not exist"),
    });
    const env = (await prisma().environment.findFirstOrThrow({ where: { applicationId: setup.app.id } })).id;
    await expect(createPolicy(sealDeps(), { ...policyInput(uniqueName("bad").toLowerCase(), [env]), image: "https://ghcr.io/x/y" })).rejects.toMatchObject({
      code: "invalid",
      details: { field: "image" },
    });
    await expect(createPolicy(sealDeps(), { ...policyInput(uniqueName("bad").toLowerCase(), [env]), image: "ghcr.io/x/y:1.0" })).rejects.toMatchObject({
      code: "invalid",
    });
    const session = (await createSession(prisma(), admin.id, 1)).token;
    const res = await callRoute({
      file: "images/policies",
      method: "POST",
      cookie: session,
      body: { ...policyInput("short-interval", [env]), intervalSeconds: 5 },
    });
    expect(res.status).toBe(422);
    expect((await res.json()).error.message).toContain("intervalSeconds");
  });
});

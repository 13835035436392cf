// The verification policy's HTTP check and the automatic rollback that must not happen, on the real
// job engine, Git server and test bed with a local node:http server as the checked service: the
// expected status passes, another status fails naming URL and status, a host off the allow-list is
// never called, a service that never answers fails at the check's timeout; a failed verification
// whose last verified revision was force-pushed away is not rolled back, and the record says why.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { createSession } from "../../lib/auth/sessions";
import { updateEnvironment } from "../../lib/environments/manage-environments";
import type { CreateEnvironmentInput } from "../../lib/environments/schemas";
import { env } from "../../lib/env";
import { kubeRequest } from "../../lib/kube/transport";
import { createChannel, createSubscription } from "../../lib/notifications/manage";
import { requestSync } from "../../lib/reconcile/manual-sync";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { notifyManageDeps } from "../../server/notify-root";
import { fetchDeps, jobs, reconcileDeps } from "../../server/root";
import { commitFile, forcePushBranch } from "../../support/demo-repo";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { demoSetup } from "../helpers/environments";
import { gitIn, startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { startHttpReceiver } from "../helpers/receivers";
import { callRoute } from "../helpers/routes";
import { adminClient, eventually } from "../helpers/testbed";
import { startTestWorker, stopTestWorker } from "../helpers/worker";

interface Hit {
  path: string;
  method: string;
  body: string;
  at: number;
}

/** The service a verification checks: answers each path with the status set for it, or never ("hang"). */
async function startService() {
  const received: Hit[] = [];
  const answers = new Map<string, number | "hang">();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "";
      received.push({ path, method: req.method ?? "", body: Buffer.concat(chunks).toString("utf8"), at: Date.now() });
      const answer = answers.get(path) ?? 200;
      if (answer === "hang") return; // holds the connection open, never answers
      res.statusCode = answer;
      res.end(String(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    received,
    hits: (path: string) => received.filter((r) => r.path === path),
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    answer: (path: string, status: number | "hang") => answers.set(path, status),
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

let git: GitFixtures;
let setup: Awaited<ReturnType<typeof demoSetup>>;
let service: Awaited<ReturnType<typeof startService>>;
let outside: Awaited<ReturnType<typeof startHttpReceiver>>;
let admin: Awaited<ReturnType<typeof makeUser>>;
let dev: string;

beforeAll(async () => {
  service = await startService();
  outside = await startHttpReceiver();
  // Only the service's host:port may be called (the checks and the notification webhooks); the
  // other receiver, on another port of the same host, is not on the list. Set before env() is first read.
  process.env.TIDELINE_OUTBOUND_HOSTS = `127.0.0.1:${service.port}`;
  expect(env().TIDELINE_OUTBOUND_HOSTS).toEqual([`127.0.0.1:${service.port}`]);
  await startTestWorker();
  await jobs().send("notification.relay", {});
  git = await startGitFixtures();
  setup = await demoSetup(git);
  admin = await makeUser("admin");
  dev = (await createSession(prisma(), (await makeUser("developer")).id, 1)).token;
}, 180_000);
afterAll(async () => {
  await stopTestWorker();
  await git.stop();
  await service.stop();
  await outside.stop();
});

async function fetchNow() {
  for (let i = 0; i < 40; i += 1) {
    if ((await fetchRepository(fetchDeps(), setup.repo.id)).status === "fetched") return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("could not fetch the repository");
}

async function sync(envId: string) {
  const { runId } = await requestSync(reconcileDeps(), envId, { actorName: "test" });
  return eventually(
    () => prisma().syncRun.findUniqueOrThrow({ where: { id: runId } }),
    (r) => !["queued", "running"].includes(r.status),
    150_000,
  );
}

const verdictOf = (syncRunId: string) =>
  eventually(
    () => prisma().verification.findUnique({ where: { syncRunId } }),
    (v) => v !== null && v.status !== "running",
    90_000,
  );

const envGet = (id: string) =>
  callRoute({ file: "environments/[id]", method: "GET", url: `/api/environments/${id}`, params: { id }, cookie: dev }).then(async (res) => ({
    status: res.status,
    body: await res.json(),
  }));

async function liveImage(namespace: string, name: string) {
  const d = await kubeRequest<{ spec: { template: { spec: { containers: Array<{ image: string }> } } } }>(
    adminClient(),
    "GET",
    `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`,
  );
  return d.spec.template.spec.containers[0]?.image;
}

const web = (tag: string) =>
  stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: `registry.example/web:${tag}` }] } },
    },
  });

/** Healthy for 3 s, then the HTTP check; the verification's own deadline (3 min) is far off. */
const WINDOW: Partial<CreateEnvironmentInput> = { verifyHealthyMinutes: 0.05, verifyTimeoutMinutes: 3 };

/** An environment of one Deployment on main whose verification calls `check`. */
async function checkedEnvironment(check: Partial<CreateEnvironmentInput>) {
  const ns = uniqueName("vh").toLowerCase();
  await commitFile(setup.bare, { branch: "main", path: `verify-http/${ns}/web.yaml`, content: web("1"), message: `${ns}: web` });
  await fetchNow();
  return setup.addEnv({ name: ns, path: `verify-http/${ns}`, namespace: ns, ...WINDOW, ...check });
}

describe("the HTTP check", () => {
  it("passes the verification when the URL answers the expected status, after the healthy window", async () => {
    const path = `/healthz/${uniqueName("ok")}`;
    service.answer(path, 204);
    const e = await checkedEnvironment({ verifyHttpUrl: service.url(path), verifyHttpStatus: 204 });
    const run = await sync(e.id);
    expect(run.status).toBe("succeeded");
    const v = await verdictOf(run.id);
    expect(v!.status, v!.reason ?? "").toBe("passed");
    expect(v!.checks).toEqual([expect.objectContaining({ kind: "http", name: service.url(path), status: "Succeeded", message: "answered 204" })]);
    // Called once, with GET, and only once the environment had been Healthy for the window.
    const hits = service.hits(path);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.method).toBe("GET");
    expect(hits[0]!.at).toBeGreaterThanOrEqual(v!.healthySince!.getTime() + 3_000);
    expect((await prisma().environment.findUniqueOrThrow({ where: { id: e.id } })).verifiedRevision).toBe(run.revision);
  }, 240_000);

  it("fails the verification when the URL answers another status, naming the URL and both statuses", async () => {
    const path = `/healthz/${uniqueName("wrong")}`;
    service.answer(path, 200);
    const e = await checkedEnvironment({ verifyHttpUrl: service.url(path), verifyHttpStatus: 204 });
    const run = await sync(e.id);
    expect(run.status).toBe("succeeded");
    const v = await verdictOf(run.id);
    expect(v!.status).toBe("failed");
    expect(v!.reason).toBe(`HTTP check ${service.url(path)} failed 3 times: answered 200, expected 204`);
    expect(v!.checks).toEqual([expect.objectContaining({ kind: "http", status: "Failed", attempts: 3 })]);
    expect(service.hits(path)).toHaveLength(3);
    expect((await prisma().environment.findUniqueOrThrow({ where: { id: e.id } })).verifiedRevision).toBeNull();
    const page = await envGet(e.id);
    expect(page.status).toBe(200);
    expect(page.body.verification).toMatchObject({ status: "failed", reason: v!.reason });
  }, 240_000);

  it("never calls a host that is not on TIDELINE_OUTBOUND_HOSTS", async () => {
    const url = outside.url(`/healthz/${uniqueName("off")}`);
    const host = new URL(url).host;
    // Saving such a URL is refused (422 naming the field) ...
    const e = await checkedEnvironment({});
    await expect(updateEnvironment(prisma(), env().mirrorsDir, e.id, { verifyHttpUrl: url })).rejects.toThrow(
      `verifyHttpUrl: ${host} is not an address Tideline may call`,
    );
    // ... and one saved before the allow-list was narrowed is refused when the check runs, not requested.
    await prisma().environment.update({ where: { id: e.id }, data: { verifyHttpUrl: url } });
    const run = await sync(e.id);
    expect(run.status).toBe("succeeded");
    const v = await verdictOf(run.id);
    expect(v!.status).toBe("failed");
    expect(v!.reason).toBe(`HTTP check ${url} failed 3 times: ${host} is not on TIDELINE_OUTBOUND_HOSTS`);
    await new Promise((r) => setTimeout(r, 500));
    expect(outside.received).toHaveLength(0);
  }, 240_000);

  it("fails at the check's timeout when the URL never answers", async () => {
    const path = `/healthz/${uniqueName("hang")}`;
    service.answer(path, "hang");
    const e = await checkedEnvironment({ verifyHttpUrl: service.url(path), verifyHttpTimeoutSeconds: 1 });
    const run = await sync(e.id);
    expect(run.status).toBe("succeeded");
    const v = await verdictOf(run.id);
    expect(v!.status).toBe("failed");
    expect(v!.reason).toBe(`HTTP check ${service.url(path)} failed 3 times: no answer within 1 s`);
    // Three attempts, each given up after 1 s: the verdict comes from the check's timeout, not the 3 min deadline.
    const hits = service.hits(path);
    expect(hits).toHaveLength(3);
    for (let i = 1; i < hits.length; i += 1) {
      // Given up after the configured 1 s (plus the 1 s between passes), not after a longer default.
      expect(hits[i]!.at - hits[i - 1]!.at).toBeGreaterThanOrEqual(950);
      expect(hits[i]!.at - hits[i - 1]!.at).toBeLessThan(6_000);
    }
    expect(v!.finishedAt!.getTime() - hits[0]!.at).toBeGreaterThanOrEqual(2_900);
    expect(v!.finishedAt!.getTime()).toBeLessThan(v!.deadline.getTime() - 60_000);
  }, 240_000);
});

describe("automatic rollback when the last verified revision is gone from Git", () => {
  it("is not done: the verification, the environment page, the audit log and the notification say why", async () => {
    const ns = uniqueName("vg").toLowerCase();
    const branch = `gone-${ns}`;
    const folder = `verify-gone/${ns}`;
    const path = `/healthz/${ns}`;
    const base = (await gitIn(setup.bare, "rev-parse", "main")).trim();
    await gitIn(setup.bare, "branch", branch, base);
    const verified = await commitFile(setup.bare, { branch, path: `${folder}/web.yaml`, content: web("1"), message: "web 1" });
    await fetchNow();
    const e = await setup.addEnv({ name: ns, branch, path: folder, namespace: ns, ...WINDOW, autoRollback: true, verifyHttpUrl: service.url(path) });
    const notifyPath = `/notify/${e.id}`;
    const channel = await createChannel(notifyManageDeps(), admin.username, {
      name: uniqueName("hook"),
      type: "webhook",
      url: service.url(notifyPath),
      enabled: true,
    });
    await createSubscription(prisma(), admin, { scopeType: "environment", scopeId: e.id, events: ["verification.failed"], channelId: channel.id });

    const first = await sync(e.id);
    expect(first.revision).toBe(verified);
    const v1 = await verdictOf(first.id);
    expect(v1!.status, v1!.reason ?? "").toBe("passed");
    expect((await prisma().environment.findUniqueOrThrow({ where: { id: e.id } })).verifiedRevision).toBe(verified);

    // The branch is rewritten: the verified commit is no longer in its history; the new one fails its check.
    await forcePushBranch(setup.bare, branch, base);
    const rewritten = await commitFile(setup.bare, { branch, path: `${folder}/web.yaml`, content: web("2"), message: "web 2, rewritten" });
    expect(
      await gitIn(setup.bare, "merge-base", "--is-ancestor", verified, branch).then(
        () => true,
        () => false,
      ),
    ).toBe(false);
    service.answer(path, 503);
    await fetchNow();
    const second = await sync(e.id);
    expect(second.revision).toBe(rewritten);
    expect(second.status).toBe("succeeded");
    const v2 = await verdictOf(second.id);
    expect(v2!.status).toBe("failed");
    expect(v2!.reason).toMatch(/answered 503, expected 200/);

    const why = `${verified.slice(0, 7)} is no longer in the history of ${branch} (force-pushed away)`;
    const skipped = await eventually(
      () => prisma().verification.findUniqueOrThrow({ where: { id: v2!.id } }),
      (v) => v.rollbackStatus !== null && v.rollbackStatus !== "starting",
      30_000,
    );
    expect(skipped.rollbackStatus, skipped.rollbackReason ?? "").toBe("skipped");
    expect(skipped.rollbackReason).toContain(why);
    expect(skipped.rollbackPromotionId).toBeNull();
    // Nothing was rolled back: no rollback promotion, no hold, the rewritten version still runs.
    expect(await prisma().promotion.count({ where: { targetEnvironmentId: e.id, kind: "rollback" } })).toBe(0);
    const after = await prisma().environment.findUniqueOrThrow({ where: { id: e.id } });
    expect(after.syncHold).toBe(false);
    expect(after.syncedRevision).toBe(rewritten);
    expect(await liveImage(ns, "web")).toBe("registry.example/web:2");
    expect(await prisma().syncRun.count({ where: { environmentId: e.id, trigger: "rollback" } })).toBe(0);

    const audit = await prisma().auditEvent.findFirst({ where: { action: "environment.auto_rollback_skipped", targetId: e.id } });
    expect(audit?.actorName).toBe("tideline");
    expect((audit?.details as { reason?: string } | null)?.reason).toContain(why);
    const page = await envGet(e.id);
    expect(page.body.verification).toMatchObject({ status: "failed", rollback: { status: "skipped", promotionId: null } });
    expect(page.body.verification.rollback.reason).toContain(why);

    // The subscriber hears of the failure and, separately, that the rollback was not done and why.
    const titled = (t: RegExp) =>
      service
        .hits(notifyPath)
        .map((h) => JSON.parse(h.body) as { title: string; body: string })
        .filter((n) => t.test(n.title));
    await eventually(
      async () => [titled(/not done/).length, titled(/^Verification of .* failed$/).length],
      ([skips, failures]) => skips! >= 1 && failures! >= 1,
      60_000,
    );
    const [note] = titled(/not done/);
    expect(note!.title).toBe(`Automatic rollback of ${setup.app.name}/${ns} not done`);
    expect(note!.body).toContain(why);
    expect(note!.body).toContain(`Verification failed: ${v2!.reason}`);
    expect(titled(/^Verification of .* failed$/)).toHaveLength(1);
  }, 300_000);
});

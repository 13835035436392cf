// Verification after a sync and automatic rollback, on the real job engine, Git server and test
// bed: a promotion whose new version crash-loops is rolled back to the last verified revision
// (hold, revert change request, previous live image, one notification at a local receiver); a
// healthy window with a succeeding check Job verifies the revision; a failing check Job rolls
// back; a verification whose worker stopped midway is finished by another from its row.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { createSession } from "../../lib/auth/sessions";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { createApplication, createEnvironment, updateEnvironment } from "../../lib/environments/manage-environments";
import { requestSync } from "../../lib/reconcile/manual-sync";
import { kubeRequest } from "../../lib/kube/transport";
import { createChannel, createSubscription } from "../../lib/notifications/manage";
import { JobEngine } from "../../lib/jobs/engine";
import { recordFailure, runVerification } from "../../lib/verification/run";
import { fetchDeps, jobs, promotionDeps, reconcileDeps } from "../../server/root";
import { notifyManageDeps } from "../../server/notify-root";
import { env } from "../../lib/env";
import { commitFile } from "../../support/demo-repo";
import { startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { demoSetup } from "../helpers/environments";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { callRoute } from "../helpers/routes";
import { startHttpReceiver } from "../helpers/receivers";
import { adminClient, eventually } from "../helpers/testbed";
import { startTestWorker, stopTestWorker } from "../helpers/worker";
import type { CreateEnvironmentInput } from "../../lib/environments/schemas";

type Json = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
const IMAGE = "ghcr.io/example/guestbook";
let git: GitFixtures;
let setup: Awaited<ReturnType<typeof demoSetup>>;
let dev: string;
let admin: Awaited<ReturnType<typeof makeUser>>;
let http: Awaited<ReturnType<typeof startHttpReceiver>>;

beforeAll(async () => {
  http = await startHttpReceiver();
  // The local receiver stands for hooks.slack.com; set before env() is first read.
  process.env.TIDELINE_OUTBOUND_HOSTS = "127.0.0.1";
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
  await http.stop();
});

const asJson = async (res: Response): Promise<Json> => ({ status: res.status, body: await res.json() });
const preview = (sourceEnvironmentId: string, targetEnvironmentId: string) =>
  callRoute({ file: "promotions/preview", method: "POST", cookie: dev, body: { sourceEnvironmentId, targetEnvironmentId } }).then(asJson);
const promote = (body: Record<string, unknown>) => callRoute({ file: "promotions", method: "POST", cookie: dev, body }).then(asJson);
const envGet = (id: string) =>
  callRoute({ file: "environments/[id]", method: "GET", url: `/api/environments/${id}`, params: { id }, cookie: dev }).then(asJson);

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

const verificationOf = (syncRunId: string, done = true, timeoutMs = 90_000) =>
  eventually(
    () => prisma().verification.findUnique({ where: { syncRunId } }),
    (v) => v !== null && (!done || v.status !== "running"),
    timeoutMs,
  );

async function liveImages(namespace: string, name: string) {
  const d = await kubeRequest<{ spec: { template: { spec: { containers: Array<{ image: string }> } } } }>(
    adminClient(),
    "GET",
    `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`,
  );
  return d.spec.template.spec.containers.map((c) => c.image);
}

async function listen(environmentId: string, events: string[], path: string) {
  const channel = await createChannel(notifyManageDeps(), admin.username, { name: uniqueName("hook"), type: "webhook", url: http.url(path), enabled: true });
  await createSubscription(prisma(), admin, { scopeType: "environment", scopeId: environmentId, events: events as never, channelId: channel.id });
  return () => http.received.filter((r) => r.path === path);
}

const kustomization = (ns: string, tag: string) => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${ns}
resources:
  - ../../../apps/guestbook/base
images:
  - name: ${IMAGE}
    newTag: ${tag}
`;

const FAST: Partial<CreateEnvironmentInput> = { verifyHealthyMinutes: 0.05, verifyTimeoutMinutes: 3, autoRollback: true };

describe("a promotion whose new version goes Degraded", () => {
  it("is rolled back to the last verified revision: hold, revert change request, previous image, notified once", async () => {
    const ns = uniqueName("vr").toLowerCase();
    for (const stage of ["dev", "prod"] as const) {
      await commitFile(setup.bare, {
        branch: "main",
        path: `verify/${ns}/${stage}/kustomization.yaml`,
        content: kustomization(`${ns}-${stage}`, stage === "dev" ? "fail-crash" : "1.4.2"),
        message: `${ns}: ${stage}`,
      });
    }
    await fetchNow();
    const app = await createApplication(prisma(), { name: uniqueName("vr").toLowerCase() });
    const base = { branch: "main", repositoryId: setup.repo.id, clusterId: setup.cluster.id, renderer: "auto" as const, helmValuesFiles: [] };
    const devEnv = await createEnvironment(prisma(), env().mirrorsDir, app.id, { ...base, name: "dev", path: `verify/${ns}/dev`, namespace: `${ns}-dev` });
    const prod = await createEnvironment(prisma(), env().mirrorsDir, app.id, {
      ...base,
      name: "prod",
      path: `verify/${ns}/prod`,
      namespace: `${ns}-prod`,
      ...FAST,
    });
    const rollbacks = await listen(prod.id, ["rollback.done"], `/rollback/${prod.id}`);
    const failures = await listen(prod.id, ["verification.failed"], `/failed/${prod.id}`);

    // The first sync of prod is verified (Healthy for 3 s): the revision a rollback returns to.
    const first = await sync(prod.id);
    expect(first.status).toBe("succeeded");
    const v1 = await verificationOf(first.id);
    expect(v1!.status, v1!.reason ?? "").toBe("passed");
    expect((await prisma().environment.findUniqueOrThrow({ where: { id: prod.id } })).verifiedRevision).toBe(first.revision);

    const pv = await preview(devEnv.id, prod.id);
    expect(pv.status, JSON.stringify(pv.body)).toBe(200);
    const res = await promote({ sourceEnvironmentId: devEnv.id, targetEnvironmentId: prod.id, previewHash: pv.body.previewHash, acknowledgeWarnings: true });
    expect(res.status).toBe(201);
    const promotionId = res.body.promotion.id as string;
    // The promoted sync waits for health (2 minutes) and ends degraded; its verification fails and rolls back.
    const run = await eventually(
      () => prisma().syncRun.findFirst({ where: { promotionId } }),
      (r) => r !== null && !["queued", "running"].includes(r.status),
      200_000,
    );
    const v2 = await verificationOf(run!.id, true, 60_000);
    expect(v2!.status).toBe("failed");
    expect(v2!.promotionId).toBe(promotionId);
    const rolled = await eventually(
      () => prisma().verification.findUniqueOrThrow({ where: { id: v2!.id } }),
      (v) => v.rollbackStatus === "started",
      30_000,
    );
    const rollback = await prisma().promotion.findUniqueOrThrow({ where: { id: rolled.rollbackPromotionId! }, include: { events: true, changeRequest: true } });
    expect(rollback.kind).toBe("rollback");
    expect(rollback.authorName).toBe("tideline");
    expect(rollback.sourceRevision).toBe(first.revision);
    expect(rollback.events.map((e) => e.action)).toEqual(expect.arrayContaining(["automatic_rollback", "change_request_opened"]));
    expect(rollback.changeRequest?.status).toBe("open");
    const held = await prisma().environment.findUniqueOrThrow({ where: { id: prod.id } });
    expect(held.syncHold).toBe(true);
    expect(held.syncHoldRevision).toBe(first.revision);
    expect(held.syncHoldChangeRequestId).toBe(rollback.changeRequestId);
    await eventually(
      () => liveImages(`${ns}-prod`, "guestbook"),
      (images) => images[0] === `${IMAGE}:1.4.2`,
      60_000,
    );

    // The promotion says why, and the audit log has the rollback by tideline.
    const promoted = await prisma().promotion.findUniqueOrThrow({ where: { id: promotionId }, include: { events: true } });
    expect(promoted.events.map((e) => e.action)).toEqual(expect.arrayContaining(["verification_started", "rolled_back"]));
    const audit = await prisma().auditEvent.findFirst({ where: { action: "environment.auto_rollback", targetId: prod.id } });
    expect(audit?.actorName).toBe("tideline");

    // Notified exactly once each, however many times the jobs ran.
    await eventually(
      async () => rollbacks().length + failures().length,
      (n) => n >= 2,
      60_000,
    );
    await new Promise((r) => setTimeout(r, 2000));
    expect(rollbacks(), JSON.stringify(rollbacks().map((r) => r.body))).toHaveLength(1);
    expect(failures()).toHaveLength(1);
    expect(JSON.parse(failures()[0]!.body).title ?? failures()[0]!.body).toMatch(/Verification of .* failed/);
    // The environment page shows the verdict and the rollback.
    const page = await envGet(prod.id);
    expect(page.body.verification).toMatchObject({ status: "failed", rollback: { status: "started", promotionId: rollback.id } });
  }, 420_000);
});

const job = (name: string, fail: boolean) =>
  stringify({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, annotations: { "tideline.dev/verify": "true" } },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { annotations: { "testbed.tideline.dev/run-for": "2s", ...(fail ? { "testbed.tideline.dev/fail": "error" } : {}) } },
        spec: { restartPolicy: "Never", containers: [{ name: "c", image: "registry.example/smoke:1" }] },
      },
    },
  });
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

describe("check Jobs", () => {
  it("a healthy window and a succeeding check Job verify the revision; a failing one rolls back", async () => {
    const ns = uniqueName("vj").toLowerCase();
    const file = (f: string) => `verify-jobs/${ns}/${f}`;
    await commitFile(setup.bare, { branch: "main", path: file("web.yaml"), content: web("1"), message: "web 1" });
    await commitFile(setup.bare, { branch: "main", path: file("smoke.yaml"), content: job("smoke", false), message: "smoke" });
    await fetchNow();
    const e = await setup.addEnv({ name: ns, path: `verify-jobs/${ns}`, namespace: ns, ...FAST, verifyJobs: true });

    const first = await sync(e.id);
    expect(first.status).toBe("succeeded");
    // The sync itself never runs the check (it is not a PostSync hook).
    expect((first.results as Array<{ kind: string }>).some((r) => r.kind === "Job")).toBe(false);
    const v1 = await verificationOf(first.id);
    expect(v1!.status, v1!.reason ?? "").toBe("passed");
    expect(v1!.checks).toEqual([expect.objectContaining({ kind: "job", name: "Job smoke", status: "Succeeded" })]);
    expect((await prisma().environment.findUniqueOrThrow({ where: { id: e.id } })).verifiedRevision).toBe(first.revision);

    // A new version whose check fails: rolled back to the verified revision.
    await commitFile(setup.bare, { branch: "main", path: file("web.yaml"), content: web("2"), message: "web 2" });
    await commitFile(setup.bare, { branch: "main", path: file("smoke.yaml"), content: job("smoke", true), message: "smoke fails" });
    await fetchNow();
    const second = await sync(e.id);
    expect(second.status).toBe("succeeded");
    const v2 = await verificationOf(second.id);
    expect(v2!.status).toBe("failed");
    expect(v2!.reason).toMatch(/check Job Job smoke failed/);
    const rolled = await eventually(
      () => prisma().verification.findUniqueOrThrow({ where: { id: v2!.id } }),
      (v) => v.rollbackStatus !== null && v.rollbackStatus !== "starting",
      30_000,
    );
    expect(rolled.rollbackStatus, rolled.rollbackReason ?? "").toBe("started");
    await eventually(
      () => liveImages(ns, "web"),
      (images) => images[0] === "registry.example/web:1",
      60_000,
    );
    expect((await prisma().environment.findUniqueOrThrow({ where: { id: e.id } })).syncHold).toBe(true);
    // Only one rollback for this failure, even when the follow-up runs again (a retried job).
    await recordFailure({ ...promotionDeps(), outboundHosts: [] }, v2!.id);
    expect(await prisma().promotion.count({ where: { targetEnvironmentId: e.id, kind: "rollback" } })).toBe(1);
  }, 300_000);
});

describe("restart safety", () => {
  it("a verification whose worker stopped midway is finished by another from its row", async () => {
    const ns = uniqueName("vs").toLowerCase();
    await commitFile(setup.bare, { branch: "main", path: `verify-restart/${ns}/web.yaml`, content: web("1"), message: "web" });
    await fetchNow();
    const e = await setup.addEnv({ name: ns, path: `verify-restart/${ns}`, namespace: ns, verifyHealthyMinutes: 0.25, verifyTimeoutMinutes: 3 });
    const first = await sync(e.id);
    expect(first.status).toBe("succeeded");
    // Healthy and counting: then this process's worker stops (its job is cut off mid-window).
    const midway = await eventually(
      () => prisma().verification.findUnique({ where: { syncRunId: first.id } }),
      (v) => Boolean(v?.healthySince),
      60_000,
    );
    await stopTestWorker();
    await new Promise((r) => setTimeout(r, 1500));
    const stopped = await prisma().verification.findUniqueOrThrow({ where: { id: midway!.id } });
    expect(stopped.status).toBe("running");
    expect(Date.now() - stopped.healthySince!.getTime()).toBeLessThan(15_000);
    // Another worker (a fresh handler, nothing in memory) re-derives where it is and gives the verdict.
    const other = new JobEngine({ connectionString: env().DATABASE_URL, schema: env().TIDELINE_JOB_SCHEMA });
    await other.start();
    const out = await runVerification({ ...promotionDeps(), jobs: other, outboundHosts: [], tickMs: 500 }, e.id, {
      signal: new AbortController().signal,
    }).finally(() => other.stop({ graceful: false }));
    expect(out.verdicts).toBe(1);
    const done = await prisma().verification.findUniqueOrThrow({ where: { id: midway!.id } });
    expect(done.status).toBe("passed");
    // The healthy window counted from before the stop, not from the restart.
    expect(done.healthySince!.getTime()).toBe(stopped.healthySince!.getTime());
    expect((await prisma().environment.findUniqueOrThrow({ where: { id: e.id } })).verifiedRevision).toBe(first.revision);
  }, 180_000);
});

describe("settings", () => {
  it("PATCH takes the verification settings; an HTTP check off the allow-list and a timeout shorter than the window are 422s naming the field", async () => {
    const ns = uniqueName("vset").toLowerCase();
    await commitFile(setup.bare, { branch: "main", path: `verify-settings/${ns}/web.yaml`, content: web("1"), message: "web" });
    await fetchNow();
    const e = await setup.addEnv({ name: ns, path: `verify-settings/${ns}`, namespace: ns });
    const updated = await updateEnvironment(prisma(), env().mirrorsDir, e.id, {
      verifyHealthyMinutes: 5,
      verifyTimeoutMinutes: 15,
      autoRollback: true,
      verifyHttpUrl: "http://127.0.0.1:1/healthz",
    });
    expect(updated).toMatchObject({ verifyHealthyMinutes: 5, autoRollback: true });
    await expect(updateEnvironment(prisma(), env().mirrorsDir, e.id, { verifyHttpUrl: "http://169.254.169.254/" })).rejects.toThrow(
      /verifyHttpUrl: 169\.254\.169\.254 is not an address/,
    );
    await expect(updateEnvironment(prisma(), env().mirrorsDir, e.id, { verifyTimeoutMinutes: 1 })).rejects.toThrow(/verifyTimeoutMinutes/);
  });
});

// Promotions and rollback through the API routes, against real Postgres, a real Git server
// (git http-backend) and the test bed: preview (file change + object diff), promotion into an
// unprotected environment (a commit on the server, then synced and healthy), protected targets
// (change request, approval rules, two approvers merge), stale previews, source health policies,
// concurrent promotions, and rollback (hold, revert change request, force-pushed targets,
// approvals and the admin's emergency override).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession } from "../../lib/auth/sessions";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { createApplication, createEnvironment } from "../../lib/environments/manage-environments";
import { requestSync } from "../../lib/reconcile/manual-sync";
import { startTestWorker, stopTestWorker } from "../helpers/worker";
import { mergeChange } from "../../lib/changes/merge-change";
import { setMember } from "../../lib/auth/application-roles";
import { changeDeps, fetchDeps, jobs, reconcileDeps } from "../../server/root";
import { env } from "../../lib/env";
import { AppError } from "../../lib/errors";
import { commitFile, forcePushBranch } from "../../support/demo-repo";
import { gitIn, startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { demoSetup } from "../helpers/environments";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { callRoute } from "../helpers/routes";
import { adminClient, createNamespace, eventually } from "../helpers/testbed";
import type { RoleName } from "../../lib/auth/roles";
import type { CreateEnvironmentInput } from "../../lib/environments/schemas";

const IMAGE = "ghcr.io/example/guestbook";
type Stage = "dev" | "staging" | "prod";
const STAGES: Stage[] = ["dev", "staging", "prod"];
type Person = { id: string; username: string; cookie: string };
type Json = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

let git: GitFixtures;
let setup: Awaited<ReturnType<typeof demoSetup>>;
const people = {} as Record<"dev" | "approver" | "approver2" | "approver3" | "admin", Person>;

async function person(role: RoleName): Promise<Person> {
  const user = await makeUser(role);
  return { id: user.id, username: user.username, cookie: (await createSession(prisma(), user.id, 1)).token };
}

beforeAll(async () => {
  await startTestWorker(); // landings, syncs and tracking run as jobs, as in the product
  git = await startGitFixtures();
  setup = await demoSetup(git);
  people.dev = await person("developer");
  people.approver = await person("approver");
  people.approver2 = await person("approver");
  people.approver3 = await person("approver");
  people.admin = await person("admin");
});
afterAll(async () => {
  await stopTestWorker();
  await git.stop();
});

const asJson = async (res: Response): Promise<Json> => ({ status: res.status, body: await res.json() });
const preview = (who: Person, sourceEnvironmentId: string, targetEnvironmentId: string) =>
  callRoute({ file: "promotions/preview", method: "POST", cookie: who.cookie, body: { sourceEnvironmentId, targetEnvironmentId } }).then(asJson);
const promote = (who: Person, body: Record<string, unknown>) => callRoute({ file: "promotions", method: "POST", cookie: who.cookie, body }).then(asJson);
const onPromotion = (who: Person, id: string, what: "decision" | "override" | "retry", body: unknown = {}) =>
  callRoute({ file: `promotions/[id]/${what}`, method: "POST", url: `/api/promotions/${id}/${what}`, params: { id }, cookie: who.cookie, body }).then(asJson);
const getPromotion = (who: Person, id: string) =>
  callRoute({ file: "promotions/[id]", method: "GET", url: `/api/promotions/${id}`, params: { id }, cookie: who.cookie }).then(asJson);
const rollback = (who: Person, envId: string, body: Record<string, unknown>) =>
  callRoute({
    file: "environments/[id]/rollback",
    method: "POST",
    url: `/api/environments/${envId}/rollback`,
    params: { id: envId },
    cookie: who.cookie,
    body,
  }).then(asJson);
const rollbackTargets = (who: Person, envId: string) =>
  callRoute({
    file: "environments/[id]/rollback-targets",
    method: "GET",
    url: `/api/environments/${envId}/rollback-targets`,
    params: { id: envId },
    cookie: who.cookie,
  }).then(asJson);
const patchEnv = (who: Person, envId: string, body: Record<string, unknown>) =>
  callRoute({ file: "environments/[id]", method: "PATCH", url: `/api/environments/${envId}`, params: { id: envId }, cookie: who.cookie, body }).then(asJson);
const onServer = (rev: string) => gitIn(setup.bare, "rev-parse", "--verify", "-q", rev);

/** Fetch until this call did the fetch (a background fetch after a Tideline push may hold the lease). */
async function fetchNow() {
  for (let i = 0; i < 40; i += 1) {
    if ((await fetchRepository(fetchDeps(), setup.repo.id)).status === "fetched") return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("could not fetch the repository");
}

const kustomization = (ns: string, stage: string, tag: string) => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${ns}-${stage}
resources:
  - ../../../apps/guestbook/base
images:
  - name: ${IMAGE}
    newTag: ${tag}
`;

/** Re-checks an environment (a reconcile job, refreshing health) until it is Synced and Healthy. */
async function settle(envId: string, extra: (e: { syncedRevision: string | null }) => boolean = () => true) {
  const e = await eventually(
    async () => {
      await jobs().send("environment.work", { environmentId: envId, reason: "test: settle" });
      return prisma().environment.findUniqueOrThrow({ where: { id: envId } });
    },
    (e) => e.syncStatus === "Synced" && e.health === "Healthy" && extra(e),
    60_000,
  );
  expect(`${e.name}: ${e.syncStatus}/${e.health}`).toBe(`${e.name}: Synced/Healthy`);
  return e;
}

async function syncNow(envId: string) {
  const { runId } = await requestSync(reconcileDeps(), envId, { actorName: "test" });
  const run = await eventually(
    () => prisma().syncRun.findUniqueOrThrow({ where: { id: runId } }),
    (r) => r.status !== "running" && r.status !== "queued",
    60_000,
  );
  expect(run.status).toBe("succeeded");
  return settle(envId);
}

/** An application with dev -> staging -> prod, each its own folder (and namespace) in the demo repository. */
async function pipeline(
  label: string,
  tags: Record<Stage, string>,
  settings: Partial<Record<Stage, Partial<CreateEnvironmentInput>>> = {},
  sync: Stage[] = STAGES,
) {
  const ns = uniqueName(label).toLowerCase();
  for (const stage of STAGES) {
    await commitFile(setup.bare, {
      branch: "main",
      path: `envs/${ns}/${stage}/kustomization.yaml`,
      content: kustomization(ns, stage, tags[stage]),
      message: `${ns}: add ${stage}`,
    });
  }
  await fetchNow();
  const app = await createApplication(prisma(), { name: uniqueName(label).toLowerCase() });
  const envs = {} as Record<Stage, { id: string; name: string }>;
  for (const stage of STAGES) {
    envs[stage] = await createEnvironment(prisma(), env().mirrorsDir, app.id, {
      name: stage,
      branch: "main",
      repositoryId: setup.repo.id,
      clusterId: setup.cluster.id,
      renderer: "auto",
      helmValuesFiles: [],
      path: `envs/${ns}/${stage}`,
      namespace: `${ns}-${stage}`,
      ...settings[stage],
    });
  }
  for (const s of sync) await syncNow(envs[s].id);
  return { ns, app, envs, file: (stage: Stage) => `envs/${ns}/${stage}/kustomization.yaml` };
}

/** Follows a promotion while the worker lands, syncs and tracks it. */
async function untilFinished(promotionId: string) {
  const p = await eventually(
    () => prisma().promotion.findUniqueOrThrow({ where: { id: promotionId }, include: { targetEnvironment: true } }),
    (p) => ["succeeded", "failed", "rejected"].includes(p.status),
    60_000,
  );
  return p;
}

async function liveImage(namespace: string) {
  const { kubeRequest } = await import("../../lib/kube/transport");
  const d = await kubeRequest<{ spec: { template: { spec: { containers: Array<{ image: string }> } } } }>(
    adminClient(),
    "GET",
    `/apis/apps/v1/namespaces/${namespace}/deployments/guestbook`,
  );
  return d.spec.template.spec.containers[0]!.image;
}

describe("promotion into an unprotected environment", () => {
  let p: Awaited<ReturnType<typeof pipeline>>;
  beforeAll(async () => {
    p = await pipeline("pr", { dev: "1.5.0", staging: "1.5.0", prod: "1.4.2" });
  }, 180_000);

  it("previews the image change in prod's kustomization and the object diff, without raw edits", async () => {
    const res = await preview(people.dev, p.envs.staging.id, p.envs.prod.id);
    expect(res.status).toBe(200);
    const pv = res.body;
    expect(pv).not.toHaveProperty("edits");
    expect(pv).toMatchObject({
      strategy: "images",
      source: { name: "staging" },
      target: { name: "prod", protected: false, requiredApprovals: 0 },
      warnings: [],
      blockers: [],
    });
    expect(pv.images).toEqual([{ name: IMAGE, from: "1.4.2", to: "1.5.0" }]);
    expect(pv.files.map((f: { path: string; change: string }) => `${f.change} ${f.path}`)).toEqual([`modified ${p.file("prod")}`]);
    expect(pv.files[0].before).toContain("newTag: 1.4.2");
    expect(pv.files[0].after).toContain("newTag: 1.5.0");
    expect(pv.title).toBe(`Promote ${p.app.name} guestbook 1.5.0 from staging to prod`);
    expect(pv.previewHash).toMatch(/^[0-9a-f]{64}$/);
    expect(pv.impact.status).toBe("changed");
    const deployment = pv.impact.objects.find((o: { kind: string }) => o.kind === "Deployment");
    expect(deployment).toMatchObject({ name: "guestbook", namespace: `${p.ns}-prod`, change: "modified" });
    expect(JSON.stringify(deployment.changes)).toContain(`${IMAGE}:1.5.0`);
    // Nothing was pushed by the preview.
    expect(await gitIn(setup.bare, "show", `main:${p.file("prod")}`)).toContain("newTag: 1.4.2");
  });

  it("refuses a stale preview with 409 (stale) once the target branch moved, and a viewer with 403", async () => {
    const pv = (await preview(people.dev, p.envs.staging.id, p.envs.prod.id)).body;
    await commitFile(setup.bare, { branch: "main", path: `notes/${p.ns}.md`, content: "moved\n", message: "unrelated commit" });
    await fetchNow();
    const res = await promote(people.dev, { sourceEnvironmentId: p.envs.staging.id, targetEnvironmentId: p.envs.prod.id, previewHash: pv.previewHash });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "conflict", stale: true });
    expect(res.body.error.message).toContain("changed since the preview");
    const viewer = await person("viewer");
    expect((await preview(viewer, p.envs.staging.id, p.envs.prod.id)).status).toBe(403);
    expect((await promote(viewer, { sourceEnvironmentId: p.envs.staging.id, targetEnvironmentId: p.envs.prod.id, previewHash: pv.previewHash })).status).toBe(
      403,
    );
    // A role on the application counts like a global one.
    await setMember(prisma(), p.app.id, viewer.username, "developer");
    expect((await preview(viewer, p.envs.staging.id, p.envs.prod.id)).status).toBe(200);
  });

  it("commits the new tag on the server as the user and syncs prod to that commit", async () => {
    const pv = (await preview(people.dev, p.envs.staging.id, p.envs.prod.id)).body;
    const res = await promote(people.dev, { sourceEnvironmentId: p.envs.staging.id, targetEnvironmentId: p.envs.prod.id, previewHash: pv.previewHash });
    expect(res.status).toBe(201);
    const created = res.body.promotion;
    expect(created).toMatchObject({ status: "syncing", strategy: "images", authorName: people.dev.username, changeRequestId: null });
    expect(created.commitSha).toMatch(/^[0-9a-f]{40}$/);
    expect(await onServer("main")).toBe(created.commitSha);
    expect(await gitIn(setup.bare, "show", `main:${p.file("prod")}`)).toContain("newTag: 1.5.0");
    expect(await gitIn(setup.bare, "log", "-1", "--format=%an|%cn|%s", "main")).toBe(`${people.dev.username}|Tideline|${pv.title}`);
    const audit = await prisma().auditEvent.findFirst({ where: { action: "promotion.create", targetId: created.id } });
    expect(audit?.actorName).toBe(people.dev.username);

    const done = await untilFinished(created.id);
    expect(done.status).toBe("succeeded");
    expect(done.targetEnvironment.syncedRevision).toBe(created.commitSha);
    expect(await liveImage(`${p.ns}-prod`)).toBe(`${IMAGE}:1.5.0`);
    const shown = await getPromotion(people.dev, created.id);
    expect(shown.body.promotion.events.map((e: { action: string }) => e.action)).toEqual(["created", "committed", "sync_started", "succeeded"]);

    const pipe = await callRoute({
      file: "applications/[id]/pipeline",
      method: "GET",
      url: `/api/applications/${p.app.id}/pipeline`,
      params: { id: p.app.id },
      cookie: people.dev.cookie,
    }).then(asJson);
    expect(pipe.status).toBe(200);
    expect(pipe.body.stages.map((s: { name: string; images: Array<{ tag: string }> }) => `${s.name}:${s.images[0]?.tag}`)).toEqual([
      "dev:1.5.0",
      "staging:1.5.0",
      "prod:1.5.0",
    ]);
    expect(pipe.body.arrows.map((a: { inSync: boolean }) => a.inSync)).toEqual([true, true]);
  }, 120_000);

  it("rolls prod back to the earlier sync: synced to the old revision, auto-sync held, revert change request opened; merging the revert releases the hold", async () => {
    const targets = await rollbackTargets(people.dev, p.envs.prod.id);
    expect(targets.status).toBe(200);
    const [current, earlier] = targets.body.items;
    expect(current).toMatchObject({ current: true, available: true });
    expect(earlier).toMatchObject({ current: false, available: true, reason: null });

    const res = await rollback(people.dev, p.envs.prod.id, { syncRunId: earlier.syncRunId });
    expect(res.status).toBe(201);
    // Answered after the revert change request is opened: the pinned sync may have finished by then.
    expect(res.body.promotion).toMatchObject({ kind: "rollback", commitSha: earlier.revision });
    expect(["syncing", "succeeded"]).toContain(res.body.promotion.status);
    const held = await prisma().environment.findUniqueOrThrow({ where: { id: p.envs.prod.id } });
    expect(held).toMatchObject({ syncHold: true, syncHoldRevision: earlier.revision });
    expect(held.syncHoldReason).toContain(people.dev.username);

    const done = await untilFinished(res.body.promotion.id);
    expect(done.status).toBe("succeeded");
    expect(done.targetEnvironment.syncedRevision).toBe(earlier.revision);
    expect(await liveImage(`${p.ns}-prod`)).toBe(`${IMAGE}:1.4.2`);
    const run = await prisma().syncRun.findFirstOrThrow({ where: { environmentId: p.envs.prod.id }, orderBy: { startedAt: "desc" } });
    expect(run).toMatchObject({ trigger: "rollback", revision: earlier.revision, status: "succeeded" });

    const env = await prisma().environment.findUniqueOrThrow({ where: { id: p.envs.prod.id } });
    expect(env.syncHold).toBe(true);
    expect(env.syncHoldChangeRequestId).toBeTruthy();
    const cr = await prisma().changeRequest.findUniqueOrThrow({ where: { id: env.syncHoldChangeRequestId! } });
    expect(cr).toMatchObject({ kind: "rollback", status: "open", baseBranch: "main" });
    expect(await gitIn(setup.bare, "show", `${cr.headBranch}:${p.file("prod")}`)).toContain("newTag: 1.4.2");

    await mergeChange(changeDeps(), { id: people.admin.id, username: people.admin.username }, cr.id, { method: "merge" });
    // The merge announces changeRequest.merged; its job releases the hold.
    const released = await eventually(
      () => prisma().environment.findUniqueOrThrow({ where: { id: p.envs.prod.id } }),
      (e) => !e.syncHold,
      30_000,
    );
    expect(released).toMatchObject({ syncHold: false, syncHoldRevision: null, syncHoldChangeRequestId: null });
    expect(await gitIn(setup.bare, "show", `main:${p.file("prod")}`)).toContain("newTag: 1.4.2");
  }, 120_000);
});

describe("promotion into a protected environment (2 approvals)", () => {
  let p: Awaited<ReturnType<typeof pipeline>>;
  beforeAll(async () => {
    p = await pipeline("pp", { dev: "1.6.0", staging: "1.6.0", prod: "1.4.2" }, { prod: { requiredApprovals: 2 } });
  }, 180_000);
  const start = async (who: Person) => {
    const pv = (await preview(who, p.envs.staging.id, p.envs.prod.id)).body;
    expect(pv.target).toMatchObject({ protected: true, requiredApprovals: 2 });
    return promote(who, { sourceEnvironmentId: p.envs.staging.id, targetEnvironmentId: p.envs.prod.id, previewHash: pv.previewHash });
  };

  it("opens a change request; the author cannot approve, nobody decides twice, nothing after a rejection", async () => {
    const main = await onServer("main");
    const res = await start(people.approver);
    expect(res.status).toBe(201);
    const promotion = res.body.promotion;
    expect(promotion).toMatchObject({ status: "awaiting_approval", requiredApprovals: 2 });
    const cr = await prisma().changeRequest.findUniqueOrThrow({ where: { id: promotion.changeRequestId } });
    expect(cr).toMatchObject({ kind: "promotion", status: "open", baseBranch: "main", requiredReviews: 2 });
    expect(await gitIn(setup.bare, "show", `${cr.headBranch}:${p.file("prod")}`)).toContain("newTag: 1.6.0");
    expect(await onServer("main")).toBe(main);

    const inbox = await callRoute({ file: "promotions", method: "GET", url: "/api/promotions?inbox=1", cookie: people.approver2.cookie }).then(asJson);
    expect(inbox.body.items.map((i: { id: string }) => i.id)).toContain(promotion.id);
    const mine = await callRoute({ file: "promotions", method: "GET", url: "/api/promotions?inbox=1", cookie: people.approver.cookie }).then(asJson);
    expect(mine.body.items.map((i: { id: string }) => i.id)).not.toContain(promotion.id);
    const devInbox = await callRoute({ file: "promotions", method: "GET", url: "/api/promotions?inbox=1", cookie: people.dev.cookie }).then(asJson);
    expect(devInbox.body.items).toEqual([]);

    const own = await onPromotion(people.approver, promotion.id, "decision", { decision: "approved", comment: "lgtm" });
    expect(own.status).toBe(403);
    expect(own.body.error.message).toContain("someone else must approve");
    expect((await onPromotion(people.dev, promotion.id, "decision", { decision: "approved" })).status).toBe(403);

    const first = await onPromotion(people.approver2, promotion.id, "decision", { decision: "approved", comment: "ok" });
    expect(first.status).toBe(200);
    expect(first.body.promotion.status).toBe("awaiting_approval");
    const twice = await onPromotion(people.approver2, promotion.id, "decision", { decision: "approved" });
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toContain("already gave your decision");

    // A developer who is an approver on this application sees it in the inbox and may decide.
    const bound = await person("developer");
    await setMember(prisma(), p.app.id, bound.username, "approver");
    const boundInbox = await callRoute({ file: "promotions", method: "GET", url: "/api/promotions?inbox=1", cookie: bound.cookie }).then(asJson);
    expect(boundInbox.body.items.map((i: { id: string }) => i.id)).toEqual([promotion.id]);
    expect((await onPromotion(bound, promotion.id, "decision", { decision: "rejected" })).status).toBe(422);
    const rejected = await onPromotion(bound, promotion.id, "decision", { decision: "rejected", comment: "not during the freeze" });
    expect(rejected.status).toBe(200);
    expect(rejected.body.promotion.status).toBe("rejected");
    const after = await onPromotion(people.admin, promotion.id, "decision", { decision: "approved" });
    expect(after.status).toBe(409);
    expect(after.body.error.message).toContain("rejected");
    expect((await prisma().changeRequest.findUniqueOrThrow({ where: { id: cr.id } })).status).toBe("closed");
    expect(await onServer("main")).toBe(main);
  });

  it("merges once when the two approvals arrive at the same moment, and syncs prod; the timeline records each step", async () => {
    const res = await start(people.approver);
    expect(res.status).toBe(201);
    const id = res.body.promotion.id;
    const both = await Promise.all([
      onPromotion(people.approver2, id, "decision", { decision: "approved", comment: "" }),
      onPromotion(people.approver3, id, "decision", { decision: "approved", comment: "ship it" }),
    ]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    // The last approval queues the landing (merge, push, sync) as one job: both answers say approved at least.
    expect(both.some((r) => ["approved", "syncing", "merged", "succeeded"].includes(r.body.promotion.status))).toBe(true);
    const cr = await eventually(
      () => prisma().changeRequest.findUniqueOrThrow({ where: { id: res.body.promotion.changeRequestId } }),
      (c) => c.status === "merged",
      30_000,
    );
    expect(cr.status).toBe("merged");
    expect(await onServer("main")).toBe(cr.mergedSha);
    expect(await gitIn(setup.bare, "show", `main:${p.file("prod")}`)).toContain("newTag: 1.6.0");

    const done = await untilFinished(id);
    expect(done.status).toBe("succeeded");
    expect(done.targetEnvironment.syncedRevision).toBe(cr.mergedSha);
    expect(await liveImage(`${p.ns}-prod`)).toBe(`${IMAGE}:1.6.0`);
    const shown = (await getPromotion(people.dev, id)).body.promotion;
    expect(shown.approvals.map((a: { userName: string; decision: string }) => `${a.userName}:${a.decision}`).sort()).toEqual(
      [`${people.approver2.username}:approved`, `${people.approver3.username}:approved`].sort(),
    );
    expect(shown.events.map((e: { action: string }) => e.action)).toEqual([
      "created",
      "change_request_opened",
      "approved",
      "approved",
      "merged",
      "sync_started",
      "succeeded",
    ]);
    const audits = await prisma().auditEvent.findMany({ where: { action: "promotion.decide", targetId: id } });
    expect(audits.map((a) => a.actorName).sort()).toEqual([people.approver2.username, people.approver3.username].sort());
  }, 120_000);

  it("a developer's rollback waits for approval; an admin's emergency rollback executes with an override approval and an audit event", async () => {
    const targets = (await rollbackTargets(people.dev, p.envs.prod.id)).body.items;
    const earlier = targets.find((t: { current: boolean; available: boolean }) => !t.current && t.available);
    const waiting = await rollback(people.dev, p.envs.prod.id, { syncRunId: earlier.syncRunId });
    expect(waiting.status).toBe(201);
    expect(waiting.body.promotion).toMatchObject({ kind: "rollback", status: "awaiting_approval", requiredApprovals: 2 });
    expect((await prisma().environment.findUniqueOrThrow({ where: { id: p.envs.prod.id } })).syncHold).toBe(false);
    const emergencyByDev = await rollback(people.dev, p.envs.prod.id, { syncRunId: earlier.syncRunId, emergency: true, reason: "outage" });
    expect(emergencyByDev.status).toBe(403);
    // One rollback or promotion into an environment at a time.
    expect((await rollback(people.admin, p.envs.prod.id, { syncRunId: earlier.syncRunId, emergency: true, reason: "outage" })).status).toBe(409);
    expect(
      (await onPromotion(people.approver, waiting.body.promotion.id, "decision", { decision: "rejected", comment: "use the emergency path" })).status,
    ).toBe(200);

    expect((await rollback(people.admin, p.envs.prod.id, { syncRunId: earlier.syncRunId, emergency: true })).status).toBe(422);
    const res = await rollback(people.admin, p.envs.prod.id, { syncRunId: earlier.syncRunId, emergency: true, reason: "checkout is down" });
    expect(res.status).toBe(201);
    // The answer is read after the revert change request is opened; the sync may have finished by then.
    expect(["syncing", "succeeded"]).toContain(res.body.promotion.status);
    const approvals = await prisma().approval.findMany({ where: { promotionId: res.body.promotion.id } });
    expect(approvals).toMatchObject([{ userName: people.admin.username, override: true, decision: "approved", comment: "checkout is down" }]);
    const audit = await prisma().auditEvent.findFirst({ where: { action: "environment.rollback.emergency", targetId: p.envs.prod.id } });
    expect(audit).toMatchObject({ actorName: people.admin.username });
    expect(audit?.details).toMatchObject({ emergency: true, reason: "checkout is down", promotionId: res.body.promotion.id });

    const done = await untilFinished(res.body.promotion.id);
    expect(done.status).toBe("succeeded");
    expect(done.targetEnvironment).toMatchObject({ syncedRevision: earlier.revision, syncHold: true });
    expect(await liveImage(`${p.ns}-prod`)).toBe(`${IMAGE}:1.4.2`);

    // Released by hand (the revert stays open for people to merge).
    const release = await callRoute({
      file: "environments/[id]/hold",
      method: "DELETE",
      url: `/api/environments/${p.envs.prod.id}/hold`,
      params: { id: p.envs.prod.id },
      cookie: people.dev.cookie,
    }).then(asJson);
    expect(release.status).toBe(200);
    expect((await prisma().environment.findUniqueOrThrow({ where: { id: p.envs.prod.id } })).syncHold).toBe(false);
  }, 120_000);
});

describe("source health, concurrency", () => {
  let p: Awaited<ReturnType<typeof pipeline>>;
  beforeAll(async () => {
    // dev is never synced: OutOfSync and not healthy.
    p = await pipeline("ph", { dev: "1.7.0", staging: "1.4.2", prod: "1.4.2" }, { staging: { unhealthySourcePolicy: "block" } }, ["staging"]);
  }, 180_000);

  it("blocks with policy block (409 blockers), warns with policy warn (409 warnings unless acknowledged); of two promotions at once exactly one starts", async () => {
    const blocked = await preview(people.dev, p.envs.dev.id, p.envs.staging.id);
    expect(blocked.status).toBe(200);
    expect(blocked.body.blockers.join(" ")).toContain("dev is");
    const refused = await promote(people.dev, {
      sourceEnvironmentId: p.envs.dev.id,
      targetEnvironmentId: p.envs.staging.id,
      previewHash: blocked.body.previewHash,
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.blockers).toEqual(blocked.body.blockers);

    expect((await patchEnv(people.dev, p.envs.staging.id, { unhealthySourcePolicy: "warn" })).status).toBe(403);
    expect((await patchEnv(people.admin, p.envs.staging.id, { requiredApprovals: 11 })).status).toBe(422);
    const patched = await patchEnv(people.admin, p.envs.staging.id, {
      unhealthySourcePolicy: "warn",
      soakMinutes: 0,
      syncAfterPromotion: true,
      promotionStrategy: "images",
    });
    expect(patched.status).toBe(200);
    expect(patched.body.environment).toMatchObject({ unhealthySourcePolicy: "warn" });

    const warned = await preview(people.dev, p.envs.dev.id, p.envs.staging.id);
    expect(warned.body.blockers).toEqual([]);
    expect(warned.body.warnings.length).toBeGreaterThan(0);
    const body = { sourceEnvironmentId: p.envs.dev.id, targetEnvironmentId: p.envs.staging.id, previewHash: warned.body.previewHash };
    const unacknowledged = await promote(people.dev, body);
    expect(unacknowledged.status).toBe(409);
    expect(unacknowledged.body.error.warnings).toEqual(warned.body.warnings);

    const both = await Promise.all([
      promote(people.dev, { ...body, acknowledgeWarnings: true }),
      promote(people.approver, { ...body, acknowledgeWarnings: true }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    const loser = both.find((r) => r.status === 409)!;
    expect(loser.body.error.message).toMatch(/Another promotion into staging|changed since the preview/);
    const winner = both.find((r) => r.status === 201)!.body.promotion;
    expect(await prisma().promotion.count({ where: { targetEnvironmentId: p.envs.staging.id, status: { not: "failed" } } })).toBe(1);
    expect((await untilFinished(winner.id)).status).toBe("succeeded");
  }, 180_000);
});

describe("rollback targets that are gone", () => {
  it("refuses a sync whose revision was force-pushed away with 409 naming the reason, and lists it as unavailable", async () => {
    const branch = uniqueName("rb").toLowerCase();
    const ns = uniqueName("rb").toLowerCase();
    const first = await commitFile(setup.bare, {
      branch: "main",
      path: `envs/${ns}/prod/kustomization.yaml`,
      content: kustomization(ns, "prod", "1.4.2"),
      message: `${ns}: add`,
    });
    await gitIn(setup.bare, "branch", branch, first);
    await fetchNow();
    const app = await createApplication(prisma(), { name: uniqueName("rb").toLowerCase() });
    const target = await createEnvironment(prisma(), env().mirrorsDir, app.id, {
      name: "prod",
      branch,
      repositoryId: setup.repo.id,
      clusterId: setup.cluster.id,
      renderer: "auto",
      helmValuesFiles: [],
      path: `envs/${ns}/prod`,
      namespace: `${ns}-prod`,
    });
    await syncNow(target.id);
    const bad = await commitFile(setup.bare, {
      branch,
      path: `envs/${ns}/prod/kustomization.yaml`,
      content: kustomization(ns, "prod", "9.9.9"),
      message: "bad release",
    });
    await fetchNow();
    await syncNow(target.id);
    const badRun = await prisma().syncRun.findFirstOrThrow({ where: { environmentId: target.id, revision: bad, status: "succeeded" } });
    // Someone rewrites the branch: the bad release is no longer in its history.
    const rewritten = await commitFile(setup.bare, { branch: "main", path: `notes/${ns}.md`, content: "rewrite\n", message: "rewrite" });
    await forcePushBranch(setup.bare, branch, rewritten);
    await fetchNow();

    const listed = (await rollbackTargets(people.dev, target.id)).body.items.find((t: { syncRunId: string }) => t.syncRunId === badRun.id);
    expect(listed).toMatchObject({ available: false });
    expect(listed.reason).toContain("force-pushed away");
    const res = await rollback(people.dev, target.id, { syncRunId: badRun.id });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain(`${bad.slice(0, 7)} is no longer in the history of ${branch} (force-pushed away)`);
    expect(await prisma().promotion.count({ where: { targetEnvironmentId: target.id } })).toBe(0);
  }, 120_000);
});

describe("measurements", () => {
  it("[measure] promotion preview (50 image references)", async () => {
    const ns = uniqueName("pm").toLowerCase();
    const docs = (tag: string) =>
      Array.from(
        { length: 50 },
        (_, i) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-${i}
spec:
  replicas: 1
  selector:
    matchLabels: { app: svc-${i} }
  template:
    metadata:
      labels: { app: svc-${i} }
    spec:
      containers:
        - name: app
          image: registry.example/team/svc-${i}:${tag}
`,
      ).join("---\n");
    const kust = (stage: string, tag: string) => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${ns}-${stage}
resources:
  - ../base
images:
${Array.from({ length: 50 }, (_, i) => `  - name: registry.example/team/svc-${i}\n    newTag: ${tag}`).join("\n")}
`;
    await commitFile(setup.bare, {
      branch: "main",
      path: `envs/${ns}/base/kustomization.yaml`,
      content: "resources:\n  - deployments.yaml\n",
      message: "base",
    });
    await commitFile(setup.bare, { branch: "main", path: `envs/${ns}/base/deployments.yaml`, content: docs("1.0.0"), message: "50 services" });
    await commitFile(setup.bare, { branch: "main", path: `envs/${ns}/src/kustomization.yaml`, content: kust("src", "2.0.0"), message: "src" });
    await commitFile(setup.bare, { branch: "main", path: `envs/${ns}/dst/kustomization.yaml`, content: kust("dst", "1.0.0"), message: "dst" });
    await fetchNow();
    await createNamespace(adminClient(), `${ns}-dst`);
    const app = await createApplication(prisma(), { name: uniqueName("pm").toLowerCase() });
    const mk = (name: string) =>
      createEnvironment(prisma(), env().mirrorsDir, app.id, {
        name,
        branch: "main",
        repositoryId: setup.repo.id,
        clusterId: setup.cluster.id,
        renderer: "auto",
        helmValuesFiles: [],
        path: `envs/${ns}/${name}`,
        namespace: `${ns}-${name}`,
      });
    const src = await mk("src");
    const dst = await mk("dst");
    await preview(people.dev, src.id, dst.id); // warm the cluster cache and discovery
    const t0 = performance.now();
    const res = await preview(people.dev, src.id, dst.id);
    const ms = Math.round(performance.now() - t0);
    expect(res.status).toBe(200);
    expect(res.body.images).toHaveLength(50);
    expect(res.body.impact.objects.filter((o: { kind: string }) => o.kind === "Deployment")).toHaveLength(50);
    console.log(`[measure] promotion preview (50 image references): ${ms} ms`);
  }, 120_000);
});

// Issue 14, findings 3, 4 (head moved, revert change requests) and 10 (closing a promotion's
// change request), each reproduced as the attack and asserted refused, against real Postgres, a
// real Git server and the test bed: required reviews come from what the change RENDERS (a shared
// base used by prod needs prod's approvals), count only approvers of the application, are bound to
// the head commit, and a promotion's change request closes only by cancelling the promotion.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession } from "../../lib/auth/sessions";
import { setMember } from "../../lib/auth/application-roles";
import { createApplication, createEnvironment } from "../../lib/environments/manage-environments";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { env } from "../../lib/env";
import { fetchDeps } from "../../server/root";
import { commitFile } from "../../support/demo-repo";
import { gitIn, startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { demoSetup } from "../helpers/environments";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { callRoute } from "../helpers/routes";
import { eventually } from "../helpers/testbed";
import { startTestWorker, stopTestWorker } from "../helpers/worker";
import type { RoleName } from "../../lib/auth/roles";

type Person = { id: string; username: string; cookie: string };
type Json = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

let git: GitFixtures;
let setup: Awaited<ReturnType<typeof demoSetup>>;
let ns: string;
const envs = {} as Record<"dev" | "prod" | "otherProd" | "unrelatedProd", { id: string; name: string }>;
let otherApp: { id: string; name: string };
let unrelatedApp: { id: string; name: string };
const people = {} as Record<"dev" | "dev2" | "boundDev" | "approver" | "approver2" | "admin", Person>;

async function person(role: RoleName): Promise<Person> {
  const user = await makeUser(role);
  return { id: user.id, username: user.username, cookie: (await createSession(prisma(), user.id, 1)).token };
}

const asJson = async (res: Response): Promise<Json> => ({ status: res.status, body: await res.json() });
const onServer = (rev: string) => gitIn(setup.bare, "rev-parse", "--verify", "-q", rev).catch(() => null);
const base = () => `shared/${ns}/base`;
const configmap = (value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  GREETING: "${value}"\n`;
const overlay = (resources: string) => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ${resources}\n`;

const propose = (who: Person, body: Record<string, unknown>) =>
  callRoute({ file: "changes", method: "POST", cookie: who.cookie, body: { repositoryId: setup.repo.id, baseBranch: "main", ...body } }).then(asJson);
const act = (who: Person, id: string, what: "reviews" | "merge" | "close", body: unknown = {}) =>
  callRoute({ file: `changes/[id]/${what}`, method: "POST", url: `/api/changes/${id}/${what}`, params: { id }, cookie: who.cookie, body }).then(asJson);
const detail = (who: Person, id: string) =>
  callRoute({ file: "changes/[id]", method: "GET", url: `/api/changes/${id}`, params: { id }, cookie: who.cookie }).then(asJson);
const onPromotion = (who: Person, id: string, what: "cancel" | "decision" | "retry", body: unknown = {}) =>
  callRoute({ file: `promotions/[id]/${what}`, method: "POST", url: `/api/promotions/${id}/${what}`, params: { id }, cookie: who.cookie, body }).then(asJson);

async function fetchNow() {
  for (let i = 0; i < 40; i += 1) {
    if ((await fetchRepository(fetchDeps(), setup.repo.id)).status === "fetched") return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("could not fetch the repository");
}

/** An edit of the shared base only: no file under any environment's folder. */
const editBase = (who: Person, value: string, title = `Greeting ${value}`) =>
  propose(who, { title, files: [{ path: `${base()}/configmap.yaml`, content: configmap(value) }] });

beforeAll(async () => {
  git = await startGitFixtures();
  setup = await demoSetup(git);
  ns = uniqueName("ap").toLowerCase();
  // One shared base; dev and prod of the first application and prod of a second one use it; a third
  // application's prod does not.
  await commitFile(setup.bare, { branch: "main", path: `${base()}/configmap.yaml`, content: configmap("hello"), message: "shared base" });
  await commitFile(setup.bare, {
    branch: "main",
    path: `${base()}/kustomization.yaml`,
    content: overlay("configmap.yaml"),
    message: "shared base kustomization",
  });
  for (const stage of ["dev", "prod", "other-prod"]) {
    await commitFile(setup.bare, {
      branch: "main",
      path: `envs/${ns}/${stage}/kustomization.yaml`,
      content: overlay(`../../../${base()}`),
      message: `${stage} uses the shared base`,
    });
  }
  await commitFile(setup.bare, {
    branch: "main",
    path: `envs/${ns}/unrelated-prod/configmap.yaml`,
    content: configmap("unrelated"),
    message: "unrelated prod",
  });
  await fetchNow();
  const add = (applicationId: string, name: string, folder: string, requiredApprovals: number) =>
    createEnvironment(prisma(), env().mirrorsDir, applicationId, {
      name,
      branch: "main",
      repositoryId: setup.repo.id,
      clusterId: setup.cluster.id,
      renderer: "auto",
      helmValuesFiles: [],
      path: `envs/${ns}/${folder}`,
      namespace: `${ns}-${folder}`,
      requiredApprovals,
    });
  envs.dev = await add(setup.app.id, "dev", "dev", 0);
  envs.prod = await add(setup.app.id, "prod", "prod", 2);
  otherApp = await createApplication(prisma(), { name: uniqueName("other").toLowerCase() });
  envs.otherProd = await add(otherApp.id, "prod", "other-prod", 1);
  unrelatedApp = await createApplication(prisma(), { name: uniqueName("unrelated").toLowerCase() });
  envs.unrelatedProd = await add(unrelatedApp.id, "prod", "unrelated-prod", 3);
  people.dev = await person("developer");
  people.dev2 = await person("developer");
  people.boundDev = await person("developer");
  await setMember(prisma(), setup.app.id, people.boundDev.username, "approver"); // approver of the first application only
  people.approver = await person("approver");
  people.approver2 = await person("approver");
  people.admin = await person("admin");
}, 180_000);
afterAll(() => git.stop());

describe("finding 3: required reviews come from the rendered result", () => {
  it("an edit of a shared base used by prod needs prod's approvals, from approvers of each application it changes", async () => {
    const main = await onServer("main");
    const res = await editBase(people.dev, "bonjour");
    expect(res.status).toBe(201);
    const cr = res.body.change;
    // The edit touches no file under prod's folder; its rendered ConfigMap changes all the same.
    expect(cr.files).toEqual([{ path: `${base()}/configmap.yaml`, change: "modified" }]);
    expect(cr.requiredReviews).toBe(2);

    const shown = (await detail(people.approver, cr.id)).body.change;
    const byApp = Object.fromEntries(shown.requirements.map((r: { application: string }) => [r.application, r]));
    expect(Object.keys(byApp).sort()).toEqual([setup.app.name, otherApp.name].sort()); // not the unrelated one, not unprotected dev
    expect(byApp[setup.app.name]).toMatchObject({
      approvals: 2,
      have: 0,
      met: false,
      summary: `changes prod: 1 object; needs 2 approvals from approvers of ${setup.app.name}`,
    });
    expect(byApp[otherApp.name]).toMatchObject({ approvals: 1, summary: `changes prod: 1 object; needs 1 approval from approvers of ${otherApp.name}` });
    expect(shown.mergeable).toBe(false);

    const refused = await act(people.dev2, cr.id, "merge", { method: "merge" });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain(`needs 2 approvals from approvers of ${setup.app.name}`);
    expect(await onServer("main")).toBe(main);

    // Raising a protection applies to open change requests at once (the cached result is per head and settings).
    const patch = (requiredApprovals: number) =>
      callRoute({
        file: "environments/[id]",
        method: "PATCH",
        url: `/api/environments/${envs.otherProd.id}`,
        params: { id: envs.otherProd.id },
        cookie: people.admin.cookie,
        body: { requiredApprovals },
      });
    expect((await patch(3)).status).toBe(200);
    try {
      const raised = (await detail(people.approver, cr.id)).body.change;
      expect(raised.requirements.find((r: { application: string }) => r.application === otherApp.name)).toMatchObject({ approvals: 3 });
      expect(raised.requiredReviews).toBe(3);
    } finally {
      expect((await patch(1)).status).toBe(200);
    }
  });

  it("an approval by a developer without approver scope does not count; an approver bound to one application counts there only", async () => {
    const main = await onServer("main");
    const cr = (await editBase(people.dev, "hola")).body.change;
    expect((await act(people.dev2, cr.id, "reviews", { state: "approved", headSha: cr.headSha })).status).toBe(201);
    let shown = (await detail(people.dev, cr.id)).body.change;
    let byApp = Object.fromEntries(shown.requirements.map((r: { application: string }) => [r.application, r]));
    expect(shown.approvals).toBe(1); // recorded and shown...
    expect(byApp[setup.app.name]).toMatchObject({ have: 0, met: false }); // ...but not counted
    expect(byApp[setup.app.name].notCounted).toEqual([{ userName: people.dev2.username, reason: `not an approver of ${setup.app.name}` }]);
    expect((await act(people.dev, cr.id, "merge", { method: "merge" })).status).toBe(409);

    // A developer with the approver role on the first application (per-application binding) counts for it, not for the other.
    expect((await act(people.boundDev, cr.id, "reviews", { state: "approved" })).status).toBe(201);
    shown = (await detail(people.dev, cr.id)).body.change;
    byApp = Object.fromEntries(shown.requirements.map((r: { application: string }) => [r.application, r]));
    expect(byApp[setup.app.name]).toMatchObject({ have: 1, approvedBy: [people.boundDev.username], met: false });
    expect(byApp[otherApp.name]).toMatchObject({ have: 0, met: false });
    expect(byApp[otherApp.name].notCounted.map((n: { userName: string }) => n.userName).sort()).toEqual(
      [people.dev2.username, people.boundDev.username].sort(),
    );

    // A global approver counts for both; the rule is then met and the change merges.
    expect((await act(people.approver, cr.id, "reviews", { state: "approved" })).status).toBe(201);
    shown = (await detail(people.dev, cr.id)).body.change;
    expect(shown.requirements.every((r: { met: boolean }) => r.met)).toBe(true);
    expect(shown).toMatchObject({ mergeable: true, blockers: [] });
    const merged = await act(people.dev2, cr.id, "merge", { method: "merge", expectedHeadSha: cr.headSha });
    expect(merged.status).toBe(200);
    expect(await onServer("main")).not.toBe(main);
    expect(await gitIn(setup.bare, "show", `main:${base()}/configmap.yaml`)).toContain("hola");
  });

  it("a head that does not render counts as changed for every protected environment (fail closed) and says so", async () => {
    const res = await propose(people.dev, { title: "Break the base", files: [{ path: `${base()}/kustomization.yaml`, content: overlay("missing.yaml") }] });
    expect(res.status).toBe(201);
    const shown = (await detail(people.dev, res.body.change.id)).body.change;
    const names = shown.requirements.map((r: { application: string }) => r.application).sort();
    expect(names).toEqual([setup.app.name, otherApp.name].sort());
    const mine = shown.requirements.find((r: { application: string }) => r.application === setup.app.name);
    expect(mine.summary).toContain("prod: does not render at the head, so it counts as changed");
    expect(mine.environments[0].renderError).toBeTruthy();
    expect(shown.mergeable).toBe(false);
  });
});

describe("finding 4: approvals are bound to the head commit", () => {
  it("a commit pushed after the approvals makes the change unmergeable until it is approved again", async () => {
    const cr = (await editBase(people.dev, "ciao")).body.change;
    for (const who of [people.approver, people.approver2])
      expect((await act(who, cr.id, "reviews", { state: "approved", headSha: cr.headSha })).status).toBe(201);
    expect((await detail(people.dev, cr.id)).body.change.mergeable).toBe(true);

    // The attack: once approved, push one more commit to the change's branch (straight to the Git server) and merge.
    const sneaked = await commitFile(setup.bare, {
      branch: cr.headBranch,
      path: `${base()}/configmap.yaml`,
      content: configmap("pwned"),
      message: "after approval",
    });
    const main = await onServer("main");
    const refused = await act(people.dev, cr.id, "merge", { method: "merge" });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain("given on an earlier commit");
    expect(await onServer("main")).toBe(main);

    const shown = (await detail(people.dev, cr.id)).body.change;
    expect(shown.headSha).toBe(sneaked);
    expect(shown).toMatchObject({ mergeable: false, approvals: 0, staleApprovals: 2 });
    expect(shown.reviews.map((r: { standing: string }) => r.standing)).toEqual(["stale", "stale"]);
    // A review of the head the reviewer saw before the push is refused rather than approving the new commit.
    const late = await act(people.approver, cr.id, "reviews", { state: "approved", headSha: cr.headSha });
    expect(late.status).toBe(409);
    expect(late.body.error.message).toContain("new commits since you looked");

    for (const who of [people.approver, people.approver2]) expect((await act(who, cr.id, "reviews", { state: "approved", headSha: sneaked })).status).toBe(201);
    const merged = await act(people.dev, cr.id, "merge", { method: "merge", expectedHeadSha: sneaked });
    expect(merged.status).toBe(200);
    expect(await gitIn(setup.bare, "show", `main:${base()}/configmap.yaml`)).toContain("pwned");
  });

  it("a revert change request into a protected environment needs that environment's approvals", async () => {
    // prod was synced at `good`; a later commit changed prod's folder; an admin rolls back in an emergency.
    const good = (await onServer("main"))!;
    await prisma().syncRun.create({
      data: { environmentId: envs.prod.id, trigger: "manual", revision: good, actorName: "test", status: "succeeded", finishedAt: new Date() },
    });
    await commitFile(setup.bare, {
      branch: "main",
      path: `envs/${ns}/prod/kustomization.yaml`,
      content: `${overlay(`../../../${base()}`)}commonLabels:\n  tier: gold\n`,
      message: "label prod",
    });
    await fetchNow();
    const run = await prisma().syncRun.findFirstOrThrow({ where: { environmentId: envs.prod.id, revision: good } });
    const res = await callRoute({
      file: "environments/[id]/rollback",
      method: "POST",
      url: `/api/environments/${envs.prod.id}/rollback`,
      params: { id: envs.prod.id },
      cookie: people.admin.cookie,
      body: { syncRunId: run.id, emergency: true, reason: "bad label" },
    }).then(asJson);
    expect(res.status).toBe(201);
    const promotion = await prisma().promotion.findUniqueOrThrow({ where: { id: res.body.promotion.id } });
    expect(promotion.changeRequestId).toBeTruthy();
    const revert = await prisma().changeRequest.findUniqueOrThrow({ where: { id: promotion.changeRequestId! } });
    expect(revert).toMatchObject({ kind: "rollback", status: "open", requiredReviews: 2 });

    const shown = (await detail(people.dev, revert.id)).body.change;
    expect(shown.requirements.map((r: { summary: string }) => r.summary)).toEqual([
      `changes prod: 1 object; needs 2 approvals from approvers of ${setup.app.name}`,
    ]);
    const main = await onServer("main");
    const refused = await act(people.dev, revert.id, "merge", { method: "merge" });
    expect(refused.status).toBe(409);
    expect(await onServer("main")).toBe(main);
  });
});

describe("finding 10: a promotion's change request closes only by cancelling the promotion", () => {
  it("a developer cannot close it; the promotion's author can cancel the promotion, which closes it (audited)", async () => {
    const image = "ghcr.io/example/guestbook";
    const folder = (stage: string) => `envs/${ns}/promo-${stage}`;
    const kustomization = (stage: string, tag: string) =>
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${ns}-promo-${stage}\nresources:\n  - ../../../apps/guestbook/base\nimages:\n  - name: ${image}\n    newTag: ${tag}\n`;
    await commitFile(setup.bare, {
      branch: "main",
      path: `${folder("staging")}/kustomization.yaml`,
      content: kustomization("staging", "1.6.0"),
      message: "promo staging",
    });
    await commitFile(setup.bare, {
      branch: "main",
      path: `${folder("prod")}/kustomization.yaml`,
      content: kustomization("prod", "1.4.2"),
      message: "promo prod",
    });
    await fetchNow();
    const app = await createApplication(prisma(), { name: uniqueName("promo").toLowerCase() });
    const mk = (stage: string, requiredApprovals: number) =>
      createEnvironment(prisma(), env().mirrorsDir, app.id, {
        name: stage,
        branch: "main",
        repositoryId: setup.repo.id,
        clusterId: setup.cluster.id,
        renderer: "auto",
        helmValuesFiles: [],
        path: folder(stage),
        namespace: `${ns}-promo-${stage}`,
        requiredApprovals,
      });
    const staging = await mk("staging", 0);
    const prod = await mk("prod", 1);
    const start = async (who: Person) => {
      const pv = await callRoute({
        file: "promotions/preview",
        method: "POST",
        cookie: who.cookie,
        body: { sourceEnvironmentId: staging.id, targetEnvironmentId: prod.id },
      }).then(asJson);
      expect(pv.status).toBe(200);
      const res = await callRoute({
        file: "promotions",
        method: "POST",
        cookie: who.cookie,
        body: { sourceEnvironmentId: staging.id, targetEnvironmentId: prod.id, previewHash: pv.body.previewHash, acknowledgeWarnings: true },
      }).then(asJson);
      expect(res.status).toBe(201);
      expect(res.body.promotion.status).toBe("awaiting_approval");
      return res.body.promotion as { id: string; changeRequestId: string };
    };

    const promotion = await start(people.dev);
    // The attack: another developer (or the author) closes the change request, leaving the promotion stuck.
    for (const who of [people.dev2, people.dev]) {
      const closed = await act(who, promotion.changeRequestId, "close");
      expect(closed.status).toBe(409);
      expect(closed.body.error.message).toContain("cancel the promotion instead");
    }
    expect((await prisma().changeRequest.findUniqueOrThrow({ where: { id: promotion.changeRequestId } })).status).toBe("open");
    const notTheirs = await onPromotion(people.dev2, promotion.id, "cancel", { reason: "mine now" });
    expect(notTheirs.status).toBe(403);
    expect(notTheirs.body.error.message).toContain(`author (${people.dev.username})`);

    const cancelled = await onPromotion(people.dev, promotion.id, "cancel", { reason: "wrong version" });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.promotion.status).toBe("cancelled");
    expect((await prisma().changeRequest.findUniqueOrThrow({ where: { id: promotion.changeRequestId } })).status).toBe("closed");
    const events = await prisma().promotionEvent.findMany({ where: { promotionId: promotion.id }, orderBy: { at: "asc" } });
    expect(events.at(-1)).toMatchObject({ action: "cancelled", actorName: people.dev.username, detail: "wrong version" });
    const audit = await prisma().auditEvent.findFirst({ where: { action: "promotion.cancel", targetId: promotion.id } });
    expect(audit?.actorName).toBe(people.dev.username);
    expect((await onPromotion(people.dev, promotion.id, "cancel")).status).toBe(409);

    // An approver of the application may cancel someone else's promotion too.
    const second = await start(people.dev);
    const byApprover = await onPromotion(people.approver, second.id, "cancel");
    expect(byApprover.status).toBe(200);
    expect(byApprover.body.promotion.status).toBe("cancelled");
  });
});

describe("finding 3 for promotions: a branch merge that changes another application's protected environment", () => {
  beforeAll(async () => {
    await startTestWorker(); // landings run as jobs, as in the product
  });
  afterAll(() => stopTestWorker());

  it("lands only once that application's approvers approved too", async () => {
    // Staging follows its own branch; promoting to prod merges that branch into main. The branch
    // also edited the shared base, which the other application's prod renders.
    const release = `release-${ns}`;
    await commitFile(setup.bare, {
      branch: "main",
      path: `envs/${ns}/rel/kustomization.yaml`,
      content: overlay(`../../../${base()}`),
      message: "rel uses the shared base",
    });
    await gitIn(setup.bare, "branch", release, "main");
    await commitFile(setup.bare, {
      branch: release,
      path: `${base()}/configmap.yaml`,
      content: configmap("via the release branch"),
      message: "release: greeting",
    });
    await fetchNow();
    const app = await createApplication(prisma(), { name: uniqueName("rel").toLowerCase() });
    const mk = (name: string, branch: string, requiredApprovals: number) =>
      createEnvironment(prisma(), env().mirrorsDir, app.id, {
        name,
        branch,
        repositoryId: setup.repo.id,
        clusterId: setup.cluster.id,
        renderer: "auto",
        helmValuesFiles: [],
        path: `envs/${ns}/rel`,
        namespace: `${ns}-rel-${name}`,
        requiredApprovals,
        promotionStrategy: "branch",
      });
    const staging = await mk("staging", release, 0);
    const prod = await mk("prod", "main", 1);
    const pv = await callRoute({
      file: "promotions/preview",
      method: "POST",
      cookie: people.dev.cookie,
      body: { sourceEnvironmentId: staging.id, targetEnvironmentId: prod.id },
    }).then(asJson);
    expect(pv.status).toBe(200);
    const started = await callRoute({
      file: "promotions",
      method: "POST",
      cookie: people.dev.cookie,
      body: { sourceEnvironmentId: staging.id, targetEnvironmentId: prod.id, previewHash: pv.body.previewHash, acknowledgeWarnings: true },
    }).then(asJson);
    expect(started.status).toBe(201);
    const promotion = started.body.promotion;
    const main = await onServer("main");

    // The promotion's own approver (an approver of this application only) approves: that is not enough.
    const relApprover = await person("developer");
    await setMember(prisma(), app.id, relApprover.username, "approver");
    expect((await onPromotion(relApprover, promotion.id, "decision", { decision: "approved", comment: "ok" })).status).toBe(200);
    const waiting = await eventually(
      () => prisma().promotion.findUniqueOrThrow({ where: { id: promotion.id } }),
      (x) => !!x.error,
      30_000,
    );
    expect(waiting.status).toBe("approved");
    expect(waiting.error).toContain(`needs 2 approvals from approvers of ${setup.app.name}`);
    expect(waiting.error).toContain(`needs 1 approval from approvers of ${otherApp.name}`);
    expect((await prisma().changeRequest.findUniqueOrThrow({ where: { id: promotion.changeRequestId } })).status).toBe("open");
    expect(await onServer("main")).toBe(main);

    // Their approvers approve the change request; the retried landing merges it.
    for (const who of [people.approver, people.approver2])
      expect((await act(who, promotion.changeRequestId, "reviews", { state: "approved" })).status).toBe(201);
    expect((await onPromotion(relApprover, promotion.id, "retry")).status).toBe(200);
    const cr = await eventually(
      () => prisma().changeRequest.findUniqueOrThrow({ where: { id: promotion.changeRequestId } }),
      (c) => c.status === "merged",
      30_000,
    );
    expect(cr.status).toBe("merged");
    expect(await gitIn(setup.bare, "show", `main:${base()}/configmap.yaml`)).toContain("via the release branch");
  });
});

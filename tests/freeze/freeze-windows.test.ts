// Freeze windows: recurring windows computed in their own time zone (daylight saving included),
// a sync or promotion inside a window refused with a message naming it, an admin override audited,
// auto-sync skipped during a window while drift is still reported, and freeze started/ended announced.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openInterval, nextOpening, formatMoment } from "../../lib/freeze/windows";
import { assertNotFrozen, evaluate, freezeRefusal, freezeState } from "../../lib/freeze/status";
import { createFreezeWindow } from "../../lib/freeze/manage";
import { announceFreezeTransitions } from "../../lib/freeze/sweep";
import { requestSync } from "../../lib/reconcile/request-sync";
import { reconcileEnvironment } from "../../lib/reconcile/reconcile-environment";
import { createPromotion } from "../../lib/promotions/create";
import { createSubscription } from "../../lib/notifications/manage";
import { listInbox } from "../../lib/notifications/inbox";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { fetchDeps, promotionDeps, reconcileDeps } from "../../server/root";
import { commitFile } from "../../support/demo-repo";
import { startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { demoSetup } from "../helpers/environments";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { callRoute } from "../helpers/routes";
import { createSession } from "../../lib/auth/sessions";

const shape = (w: Partial<Parameters<typeof openInterval>[0]>) => ({
  cron: null,
  durationMinutes: null,
  timeZone: "UTC",
  startsAt: null,
  endsAt: null,
  enabled: true,
  ...w,
});

describe("freeze window arithmetic", () => {
  // Fridays 18:00 for 2 hours, New York time: 23:00 UTC in winter (EST), 22:00 UTC in summer (EDT).
  const friday = shape({ cron: "0 18 * * 5", durationMinutes: 120, timeZone: "America/New_York" });

  it("opens at the local time in winter and in summer", () => {
    expect(openInterval(friday, new Date("2026-12-11T23:30:00Z"))).toEqual({ start: new Date("2026-12-11T23:00:00Z"), end: new Date("2026-12-12T01:00:00Z") });
    expect(openInterval(friday, new Date("2026-12-11T22:30:00Z"))).toBeNull(); // 17:30 local
    expect(openInterval(friday, new Date("2026-12-12T01:00:00Z"))).toBeNull(); // closed at its end
    expect(openInterval(friday, new Date("2026-07-10T22:10:00Z"))).toEqual({ start: new Date("2026-07-10T22:00:00Z"), end: new Date("2026-07-11T00:00:00Z") });
    expect(openInterval(friday, new Date("2026-07-10T23:59:59Z"))).not.toBeNull();
    // Friday 18:00 UTC would be wrong: 13:00 in New York.
    expect(openInterval(friday, new Date("2026-12-11T18:30:00Z"))).toBeNull();
  });

  it("knows the next opening and formats moments in the window's zone", () => {
    expect(nextOpening(friday, new Date("2026-12-09T12:00:00Z"))).toEqual(new Date("2026-12-11T23:00:00Z"));
    expect(formatMoment(new Date("2026-12-12T01:00:00Z"), "UTC")).toMatch(/^Sat( 12 Dec)? 01:00 UTC$/);
    expect(formatMoment(new Date("2026-12-12T01:00:00Z"), "America/New_York")).toMatch(/^Fri( 11 Dec)? 20:00 America\/New_York$/);
  });

  it("tells pages the next moment the freeze can change (open window's end, else the earliest opening)", () => {
    const env = { id: "e", name: "prod" };
    const asWindow = (w: object, id: string) => ({ id, name: id, mode: "deny", reason: "", actions: ["sync"], ...shape(w) }) as never;
    const closed = evaluate(
      [asWindow({ cron: "0 18 * * 5", durationMinutes: 120, timeZone: "America/New_York" }, "friday")],
      env,
      new Date("2026-12-09T12:00:00Z"),
    );
    expect(closed.frozen).toBe(false);
    expect(closed.nextChangeAt).toEqual(new Date("2026-12-11T23:00:00Z"));
    const inside = evaluate(
      [
        asWindow({ cron: "0 18 * * 5", durationMinutes: 120, timeZone: "America/New_York" }, "friday"),
        asWindow({ startsAt: new Date("2026-12-24T00:00:00Z"), endsAt: new Date("2026-12-27T00:00:00Z") }, "xmas"),
      ],
      env,
      new Date("2026-12-11T23:30:00Z"),
    );
    expect(inside.frozen).toBe(true);
    expect(inside.nextChangeAt).toEqual(new Date("2026-12-12T01:00:00Z"));
    expect(evaluate([], env).nextChangeAt).toBeNull();
  });

  it("one-off windows and windows longer than their period", () => {
    const once = shape({ startsAt: new Date("2026-12-24T00:00:00Z"), endsAt: new Date("2026-12-27T00:00:00Z") });
    expect(openInterval(once, new Date("2026-12-25T12:00:00Z"))).not.toBeNull();
    expect(openInterval(once, new Date("2026-12-27T00:00:00Z"))).toBeNull();
    // Every day at 00:00 Berlin for 25 hours: always open, and the end follows the chain.
    const chained = shape({ cron: "0 0 * * *", durationMinutes: 25 * 60, timeZone: "Europe/Berlin" });
    const open = openInterval(chained, new Date("2026-12-10T12:00:00Z"))!;
    expect(open.end.getTime() - open.start.getTime()).toBeGreaterThan(3 * 86_400_000);
  });
});

describe("enforcement", () => {
  let git: GitFixtures;
  let setup: Awaited<ReturnType<typeof demoSetup>>;
  let envId: string;
  let prodId: string;
  let admin: Awaited<ReturnType<typeof makeUser>>;
  let developer: Awaited<ReturnType<typeof makeUser>>;
  const hourFromNow = () => ({ startsAt: new Date(Date.now() - 60_000), endsAt: new Date(Date.now() + 3_600_000) });

  beforeAll(async () => {
    git = await startGitFixtures();
    setup = await demoSetup(git);
    const ns = uniqueName("frz").toLowerCase();
    await commitFile(setup.bare, {
      branch: "main",
      path: `envs/${ns}/kustomization.yaml`,
      content: `namespace: ${ns}\nresources:\n  - ../../apps/guestbook/overlays/dev\n`,
      message: `add ${ns}`,
    });
    await fetchRepository(fetchDeps(), setup.repo.id);
    envId = (await setup.addEnv({ name: "dev", path: `envs/${ns}`, namespace: ns })).id;
    prodId = (await setup.addEnv({ name: "prod", path: `envs/${ns}`, namespace: `${ns}-p` })).id;
    admin = await makeUser("admin");
    developer = await makeUser("developer");
  });
  afterAll(() => git.stop());

  it("refuses a sync inside a window with a message naming it; an admin override is audited", async () => {
    const w = await createFreezeWindow(prisma(), admin.username, {
      name: "Holiday freeze",
      scopeType: "environment",
      scopeId: envId,
      mode: "deny",
      actions: ["sync", "promotion"],
      timeZone: "UTC",
      reason: "end of year",
      enabled: true,
      ...hourFromNow(),
    });
    await expect(requestSync(reconcileDeps(), envId, { actorName: developer.username })).rejects.toThrow(
      /dev is frozen for syncs by freeze window "Holiday freeze" \(end of year\) until .* UTC; an admin may override/,
    );
    // Through the API: 409 with the window named.
    const devSession = (await createSession(prisma(), developer.id, 1)).token;
    const res = await callRoute({ file: "environments/[id]/sync", method: "POST", params: { id: envId }, cookie: devSession, body: {} });
    expect(res.status).toBe(409);
    const err = (await res.json()).error;
    expect(err.message).toContain('"Holiday freeze"');
    expect(err.freeze[0]).toMatchObject({ windowId: w.id, name: "Holiday freeze" });
    // A developer cannot override; an admin can, with a reason, and it is audited.
    const denied = await callRoute({
      file: "environments/[id]/sync",
      method: "POST",
      params: { id: envId },
      cookie: devSession,
      body: { freezeOverride: { reason: "hotfix" } },
    });
    expect(denied.status).toBe(403);
    const adminSession = (await createSession(prisma(), admin.id, 1)).token;
    const ok = await callRoute({
      file: "environments/[id]/sync",
      method: "POST",
      params: { id: envId },
      cookie: adminSession,
      body: { freezeOverride: { reason: "hotfix for INC-42" } },
    });
    expect(ok.status).toBe(202);
    const audit = await prisma().auditEvent.findFirst({ where: { action: "freeze.override", targetId: envId }, orderBy: { at: "desc" } });
    expect(audit).toMatchObject({ actorName: admin.username });
    expect(audit!.details).toMatchObject({ action: "sync", reason: "hotfix for INC-42", windows: [{ id: w.id, name: "Holiday freeze" }] });
    // A promotion into the frozen environment is refused before anything else is checked.
    await expect(
      createPromotion(promotionDeps(), developer, { sourceEnvironmentId: prodId, targetEnvironmentId: envId, previewHash: "0".repeat(64) }),
    ).rejects.toThrow(/frozen for promotions by freeze window "Holiday freeze"/);
    // Image updates (automation) are not covered by this window.
    expect(await freezeRefusal(prisma(), envId, "image-update")).toBeNull();
    await prisma().syncRun.deleteMany({ where: { environmentId: envId, status: "queued" } });
    await prisma().freezeWindow.delete({ where: { id: w.id } });
    await assertNotFrozen(prisma(), envId, "sync");
  });

  it("skips auto-sync during a project window but still reports drift; syncs once it is gone", async () => {
    await prisma().environment.update({ where: { id: envId }, data: { autoSync: true } });
    const projectId = (await prisma().application.findUniqueOrThrow({ where: { id: setup.app.id } })).projectId;
    // Project-wide windows would freeze other tests' environments in the shared "default" project: give this app its own.
    const project = await prisma().project.create({
      data: { name: uniqueName("frz-proj").toLowerCase(), sourceRepos: [{ repository: "*", path: "**" }], destinations: [{ cluster: "*", namespace: "*" }] },
    });
    await prisma().application.update({ where: { id: setup.app.id }, data: { projectId: project.id } });
    const w = await createFreezeWindow(prisma(), admin.username, {
      name: "Change freeze",
      scopeType: "project",
      scopeId: project.id,
      mode: "deny",
      actions: ["sync"],
      timeZone: "UTC",
      reason: "",
      enabled: true,
      ...hourFromNow(),
    });
    const out = await reconcileEnvironment(reconcileDeps(), envId);
    expect(out.synced).toBeNull();
    const env = await prisma().environment.findUniqueOrThrow({ where: { id: envId } });
    expect(env.syncStatus).toBe("OutOfSync");
    expect(env.outOfSyncCount).toBeGreaterThan(0);
    expect((await prisma().resourceState.findMany({ where: { environmentId: envId } })).some((r) => r.syncStatus !== "Synced")).toBe(true);
    const state = await freezeState(prisma(), envId);
    expect(state!.blocks.sync[0]).toMatchObject({ name: "Change freeze" });
    expect(state!.open[0]!.untilText).toMatch(/UTC$/);
    await prisma().freezeWindow.delete({ where: { id: w.id } });
    const after = await reconcileEnvironment(reconcileDeps(), envId);
    expect(after.synced).not.toBeNull();
    await prisma().application.update({ where: { id: setup.app.id }, data: { projectId } });
  });

  it("allow windows: outside them the action is refused, naming the next opening", async () => {
    const w = await createFreezeWindow(prisma(), admin.username, {
      name: "Tuesday deploys",
      scopeType: "environment",
      scopeId: prodId,
      mode: "allow",
      actions: ["image-update"],
      cron: "0 9 * * 2",
      durationMinutes: 1,
      timeZone: "Europe/Berlin",
      reason: "",
      enabled: true,
    });
    const refusal = await freezeRefusal(prisma(), prodId, "image-update", new Date("2026-12-09T12:00:00Z"));
    expect(refusal).toMatch(/prod accepts image updates only inside freeze window "Tuesday deploys"; next opening Tue( 15 Dec)? 09:00 Europe\/Berlin/);
    expect(await freezeRefusal(prisma(), prodId, "image-update", new Date("2026-12-15T08:00:30Z"))).toBeNull();
    expect(await freezeRefusal(prisma(), prodId, "sync", new Date("2026-12-09T12:00:00Z"))).toBeNull();
    await prisma().freezeWindow.delete({ where: { id: w.id } });
  });

  it("announces freeze started and ended to subscribers", async () => {
    const watcher = await makeUser("viewer");
    await createSubscription(prisma(), watcher, { scopeType: "environment", scopeId: prodId, events: ["freeze.started", "freeze.ended"] });
    const w = await createFreezeWindow(prisma(), admin.username, {
      name: "Maintenance",
      scopeType: "environment",
      scopeId: prodId,
      mode: "deny",
      actions: ["sync"],
      timeZone: "UTC",
      reason: "db upgrade",
      enabled: true,
      ...hourFromNow(),
    });
    expect((await announceFreezeTransitions(prisma())).started).toBeGreaterThanOrEqual(1);
    expect((await announceFreezeTransitions(prisma())).started).toBe(0); // announced once
    await prisma().freezeWindow.update({ where: { id: w.id }, data: { endsAt: new Date(Date.now() - 1000) } });
    expect((await announceFreezeTransitions(prisma())).ended).toBeGreaterThanOrEqual(1);
    const inbox = await listInbox(prisma(), watcher.id, { limit: 10 });
    expect(inbox.notifications.map((n) => n.type)).toEqual(["freeze.ended", "freeze.started"]);
    expect(inbox.notifications[1]!.title).toContain('Freeze window "Maintenance" started, until');
  });
});

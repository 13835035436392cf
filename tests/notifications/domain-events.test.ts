// Where events come from: a failed sync run (the syncRun.finished subscriber), drift found by a real
// reconcile while auto-sync is off, the promotion timeline (approvers of a protected target get
// "awaiting my approval", the author does not) and old events pruned.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noteSyncFinished } from "../../lib/notifications/domain-events";
import { createSubscription } from "../../lib/notifications/manage";
import { listInbox } from "../../lib/notifications/inbox";
import { pruneNotifications } from "../../lib/notifications/prune";
import { emitEvent } from "../../lib/notifications/emit";
import { addEvent } from "../../lib/promotions/events";
import { reconcileEnvironment } from "../../lib/reconcile/reconcile-environment";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { fetchDeps, reconcileDeps } from "../../server/root";
import { commitFile } from "../../support/demo-repo";
import { startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { demoSetup } from "../helpers/environments";
import { makeUser, prisma, uniqueName } from "../helpers/db";

let git: GitFixtures;
let setup: Awaited<ReturnType<typeof demoSetup>>;
let envId: string;
let watcher: Awaited<ReturnType<typeof makeUser>>;
const typesFor = async (userId: string) => (await listInbox(prisma(), userId, { limit: 50 })).notifications.map((n) => n.type);

beforeAll(async () => {
  git = await startGitFixtures();
  setup = await demoSetup(git);
  const ns = uniqueName("ntf").toLowerCase();
  await commitFile(setup.bare, {
    branch: "main",
    path: `envs/${ns}/kustomization.yaml`,
    content: `namespace: ${ns}\nresources:\n  - ../../apps/guestbook/overlays/dev\n`,
    message: `add ${ns}`,
  });
  await fetchRepository(fetchDeps(), setup.repo.id);
  envId = (await setup.addEnv({ name: "prod", path: `envs/${ns}`, namespace: ns })).id;
  watcher = await makeUser("viewer");
  await createSubscription(prisma(), watcher, { scopeType: "environment", scopeId: envId, events: ["*"] });
});
afterAll(() => git.stop());

describe("events from the domains", () => {
  it("a failed sync run notifies once, however often its finish is announced", async () => {
    const run = await prisma().syncRun.create({
      data: {
        environmentId: envId,
        trigger: "manual",
        actorName: "dev",
        status: "failed",
        revision: "a".repeat(40),
        error: "Deployment/guestbook: admission webhook denied",
      },
    });
    await noteSyncFinished(prisma(), run.id);
    await noteSyncFinished(prisma(), run.id);
    const inbox = await listInbox(prisma(), watcher.id, { limit: 50 });
    const failed = inbox.notifications.filter((n) => n.type === "sync.failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.title).toContain(`/prod failed at aaaaaaa`);
    expect(failed[0]!.body).toContain("admission webhook denied");
    const ok = await prisma().syncRun.create({
      data: { environmentId: envId, trigger: "manual", actorName: "dev", status: "succeeded", revision: "b".repeat(40) },
    });
    await noteSyncFinished(prisma(), ok.id);
    expect((await typesFor(watcher.id)).filter((t) => t === "sync.failed")).toHaveLength(1);
  });

  it("drift found by a reconcile while auto-sync is off is announced", async () => {
    // As if it had been Synced: the reconcile finds every object Missing (drift from Git).
    await prisma().environment.update({ where: { id: envId }, data: { syncStatus: "Synced", health: "Healthy", autoSync: false } });
    await reconcileEnvironment(reconcileDeps(), envId);
    const env = await prisma().environment.findUniqueOrThrow({ where: { id: envId } });
    expect(env.syncStatus).toBe("OutOfSync");
    const drift = (await listInbox(prisma(), watcher.id, { limit: 50 })).notifications.filter((n) => n.type === "drift.detected");
    expect(drift).toHaveLength(1);
    expect(drift[0]!.title).toMatch(/drifted from Git \(\d+ object\(s\) out of sync\)/);
    // A second reconcile of the same drift says nothing new.
    await reconcileEnvironment(reconcileDeps(), envId);
    expect((await typesFor(watcher.id)).filter((t) => t === "drift.detected")).toHaveLength(1);
  });

  it("a promotion into a protected environment asks its approvers, not its author", async () => {
    const author = await makeUser("approver");
    const approver = await makeUser("approver");
    const developer = await makeUser("developer");
    await prisma().roleBinding.create({ data: { userId: developer.id, applicationId: setup.app.id, role: "approver" } });
    const p = await prisma().promotion.create({
      data: {
        applicationId: setup.app.id,
        targetEnvironmentId: envId,
        strategy: "images",
        targetBaseRevision: "c".repeat(40),
        previewHash: "d".repeat(64),
        requiredApprovals: 1,
        authorId: author.id,
        authorName: author.username,
        status: "awaiting_approval",
      },
    });
    await addEvent(prisma(), p.id, author.username, "change_request_opened", "#7 (1 approval(s) required)");
    expect(await typesFor(approver.id)).toContain("promotion.awaiting_approval");
    expect(await typesFor(developer.id)).toContain("promotion.awaiting_approval"); // approver on this application
    expect(await typesFor(author.id)).not.toContain("promotion.awaiting_approval");
    await addEvent(prisma(), p.id, "tideline", "succeeded", "prod runs ccccccc and is healthy");
    expect(await typesFor(author.id)).toEqual(["promotion.finished"]);
    expect((await prisma().promotionEvent.findMany({ where: { promotionId: p.id } })).map((e) => e.action)).toEqual(["change_request_opened", "succeeded"]);
  });

  it("prunes events past the retention with their deliveries and in-app entries", async () => {
    const id = (await emitEvent(prisma(), { type: "image.updated", environmentId: envId, title: "old news" }))!;
    await prisma().notificationEvent.update({ where: { id }, data: { createdAt: new Date(Date.now() - 31 * 86_400_000) } });
    expect(await pruneNotifications(prisma())).toBeGreaterThanOrEqual(1);
    expect(await prisma().notificationEvent.findUnique({ where: { id } })).toBeNull();
    expect(await prisma().notification.count({ where: { eventId: id } })).toBe(0);
  });
});

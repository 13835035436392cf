// Image automation against a real registry and Git server: inside a freeze window for image updates
// the new tag is not written (the outcome names the window); once the window is gone the next check
// commits it and subscribers hear "image update written".
import { afterAll, beforeAll, expect, it } from "vitest";
import { checkPolicy } from "../../lib/images/automation";
import { createPolicy } from "../../lib/images/policies";
import { createFreezeWindow } from "../../lib/freeze/manage";
import { createSubscription } from "../../lib/notifications/manage";
import { listInbox } from "../../lib/notifications/inbox";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { fetchDeps, imageDeps, sealDeps } from "../../server/root";
import { commitFile } from "../../support/demo-repo";
import { startRegistry, type TestRegistry } from "../../support/registry";
import { startGitFixtures, gitIn, type GitFixtures } from "../helpers/git-fixtures";
import { demoSetup } from "../helpers/environments";
import { makeUser, prisma, uniqueName } from "../helpers/db";

const REPO = "example/frozen";
let git: GitFixtures;
let registry: TestRegistry;
let setup: Awaited<ReturnType<typeof demoSetup>>;

beforeAll(async () => {
  registry = await startRegistry({});
  for (const tag of ["1.4.0", "1.5.0"]) await registry.pushImage(REPO, tag);
  git = await startGitFixtures();
  setup = await demoSetup(git);
}, 180_000);
afterAll(async () => {
  await registry?.stop();
  await git?.stop();
});

it("holds image updates during a freeze window and writes them after it", async () => {
  const image = `${registry.host}/${REPO}`;
  const ns = uniqueName("frzimg").toLowerCase();
  const path = `images/${ns}/kustomization.yaml`;
  const content = `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${ns}\nresources:\n  - ../../apps/guestbook/overlays/dev\nimages:\n  - name: ghcr.io/example/guestbook\n    newName: ${image}\n    newTag: 1.4.0\n`;
  await commitFile(setup.bare, { branch: "main", path, content, message: `add ${ns}` });
  await fetchRepository(fetchDeps(), setup.repo.id);
  const env = await setup.addEnv({ name: "prod", path: `images/${ns}`, namespace: ns });
  const watcher = await makeUser("viewer");
  await createSubscription(prisma(), watcher, { scopeType: "environment", scopeId: env.id, events: ["image.updated"] });
  const admin = await makeUser("admin");
  const window = await createFreezeWindow(prisma(), admin.username, {
    name: "Black Friday",
    scopeType: "environment",
    scopeId: env.id,
    mode: "deny",
    actions: ["image-update"],
    timeZone: "UTC",
    reason: "peak traffic",
    enabled: true,
    startsAt: new Date(Date.now() - 60_000),
    endsAt: new Date(Date.now() + 3_600_000),
  });
  const policy = await createPolicy(sealDeps(), {
    name: uniqueName("frz").toLowerCase(),
    image,
    insecure: false,
    policy: { type: "semver", range: ">=1.0.0 <2" },
    allowDowngrade: false,
    writeMode: "commit",
    intervalSeconds: 300,
    environmentIds: [env.id],
  });
  const headBefore = await gitIn(setup.bare, "rev-parse", "main");

  const frozen = await checkPolicy(imageDeps(), policy.id, { trigger: "poll" });
  expect(frozen.latestTag).toBe("1.5.0");
  expect(frozen.environments).toEqual([expect.objectContaining({ status: "skipped", to: "1.5.0" })]);
  expect(frozen.environments[0]!.reason).toMatch(/prod is frozen for image updates by freeze window "Black Friday" \(peak traffic\) until/);
  expect(await gitIn(setup.bare, "rev-parse", "main")).toBe(headBefore);
  expect((await listInbox(prisma(), watcher.id, { limit: 10 })).unread).toBe(0);

  await prisma().freezeWindow.delete({ where: { id: window.id } });
  const written = await checkPolicy(imageDeps(), policy.id, { trigger: "poll" });
  expect(written.environments).toEqual([expect.objectContaining({ status: "committed", from: "1.4.0", to: "1.5.0" })]);
  expect(await gitIn(setup.bare, "show", `main:${path}`)).toContain("newTag: 1.5.0");
  const inbox = await listInbox(prisma(), watcher.id, { limit: 10 });
  expect(inbox.notifications.map((n) => n.type)).toEqual(["image.updated"]);
  expect(inbox.notifications[0]!.title).toBe(`${image} 1.4.0 -> 1.5.0 in ${setup.app.name}/prod`);
});

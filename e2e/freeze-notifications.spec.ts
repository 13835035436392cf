// Freeze windows and notifications in the browser: a user subscribes their in-app list to an
// environment's freeze events, an admin adds a one-off freeze window on the Freeze windows page,
// the environment page and the pipeline stage show "Frozen until ...", a sync is refused naming the
// window, and the freeze.started notification (announced by the worker's minute sweep) appears in
// the header's bell with an unread count that marking read clears.
import { readFileSync } from "node:fs";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { parse } from "yaml";
import { e2eState, signInAs } from "./fixtures/state";

test.describe.configure({ mode: "serial" });
test.use({ timezoneId: "UTC" });

const WATCHER = { username: "e2e-freeze-admin", password: "freeze-admin-password-1", role: "admin" };
const ids = {} as { app: string; env: string };

async function arrange(request: APIRequestContext) {
  const repo = await request.post("/api/repositories", { data: { name: "freeze-config", url: `${e2eState().gitUrl}/platform-config.git` } });
  expect(repo.status(), await repo.text()).toBe(201);
  const repositoryId = ((await repo.json()) as { repository: { id: string } }).repository.id;
  await expect
    .poll(async () => ((await (await request.get(`/api/repositories/${repositoryId}`)).json()) as { repository: { status: string } }).repository.status, {
      timeout: 30_000,
    })
    .toBe("ready");
  const kubeconfig = readFileSync(e2eState().kubeconfigPath, "utf8");
  const cluster = await request.post("/api/clusters", {
    data: { source: "kubeconfig", name: "freeze-cluster", kubeconfig, context: parse(kubeconfig)["current-context"] },
  });
  expect(cluster.status(), await cluster.text()).toBe(201);
  const clusterId = ((await cluster.json()) as { cluster: { id: string } }).cluster.id;
  const app = await request.post("/api/applications", { data: { name: "freeze-app" } });
  expect(app.status()).toBe(201);
  ids.app = ((await app.json()) as { application: { id: string } }).application.id;
  const env = await request.post(`/api/applications/${ids.app}/environments`, {
    data: { name: "prod", repositoryId, branch: "main", path: "apps/guestbook/overlays/dev", clusterId, namespace: "freeze-prod" },
  });
  expect(env.status(), await env.text()).toBe(201);
  ids.env = ((await env.json()) as { environment: { id: string } }).environment.id;
  // A user of this spec's own, so notifications other specs cause (approvals) are not in its list.
  const user = await request.post("/api/users", { data: WATCHER });
  expect(user.status(), await user.text()).toBe(201);
}

const local = (d: Date) => d.toISOString().slice(0, 16); // datetime-local, in the page's UTC zone

test("a freeze window shows on the environment and pipeline, refuses a sync, and its start lands in the bell", async ({ page }) => {
  test.setTimeout(180_000);
  await signInAs(page, "admin");
  await arrange(page.request);
  const login = await page.request.post("/api/auth/login", { data: { username: WATCHER.username, password: WATCHER.password } });
  expect(login.ok()).toBe(true);

  // Subscribe my in-app list to the environment's freeze events.
  await page.goto("/notifications");
  await page.getByTestId("scope-type").first().selectOption("environment");
  await page.getByTestId("scope-id").first().selectOption({ label: "freeze-app/prod" });
  await page.getByLabel("Freeze started").check();
  await page.getByLabel("Freeze ended").check();
  await page.getByRole("button", { name: "Subscribe" }).click();
  await expect(page.getByTestId("subscriptions")).toContainText("freeze-app/prod");
  await expect(page.getByTestId("subscriptions")).toContainText("my in-app list");
  await expect(page.getByTestId("notification-unread")).toHaveCount(0);

  // Add a one-off freeze window that is open now.
  await page.goto("/freeze-windows");
  await page.getByLabel("Window name").fill("Release freeze");
  await page.getByTestId("scope-type").selectOption("environment");
  await page.getByTestId("scope-id").selectOption({ label: "freeze-app/prod" });
  await page.getByLabel("Kind").selectOption("once");
  const ends = new Date(Date.now() + 2 * 3600_000);
  await page.getByLabel("Starts at").fill(local(new Date(Date.now() - 10 * 60_000)));
  await page.getByLabel("Ends at").fill(local(ends));
  await page.getByLabel("Reason").fill("quarter close");
  await page.getByRole("button", { name: "Add window" }).click();
  const row = page.getByTestId("freeze-window-row").filter({ hasText: "Release freeze" });
  await expect(row.getByTestId("freeze-window-state")).toContainText("open until");

  // The environment page and the pipeline stage show the freeze.
  await page.goto(`/environments/${ids.env}`);
  const banner = page.getByTestId("freeze-banner");
  await expect(banner).toContainText(/Frozen until \w{3}( \d+ \w{3})? \d\d:\d\d UTC/);
  await expect(banner).toContainText('"Release freeze"');
  await expect(banner).toContainText("quarter close");
  await page.goto(`/applications/${ids.app}`);
  await expect(page.getByTestId("stage-prod").getByTestId("stage-frozen")).toContainText("Frozen until");

  // A sync is refused with a message naming the window.
  const sync = await page.request.post(`/api/environments/${ids.env}/sync`, { data: {} });
  expect(sync.status()).toBe(409);
  expect((await sync.json()).error.message).toContain('frozen for syncs by freeze window "Release freeze"');

  // The worker's minute sweep announces the window: the bell counts it, the list shows it.
  await expect(page.getByTestId("notification-unread")).toHaveText("1", { timeout: 100_000 });
  await page.getByTestId("notification-bell").click();
  const list = page.getByTestId("notification-list");
  await expect(list.getByTestId("notification-item").first()).toContainText('Freeze window "Release freeze" started, until');
  await expect(list.getByTestId("notification-item").first()).toHaveAttribute("data-read", "false");
  await list.getByTestId("notification-mark-all").click();
  await expect(page.getByTestId("notification-unread")).toHaveCount(0);
  await expect(list.getByTestId("notification-item").first()).toHaveAttribute("data-read", "true");
});

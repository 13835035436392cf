import { readFileSync } from "node:fs";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { parse } from "yaml";
import { e2eState, signInAs } from "./fixtures/state";

test.describe.configure({ mode: "serial" });

/** The repository and cluster this journey needs, created through the API if absent. */
async function ensurePrerequisites(request: APIRequestContext) {
  const repos = (await (await request.get("/api/repositories")).json()).items as Array<{ name: string; status: string }>;
  if (!repos.some((r) => r.name === "envs-config")) {
    expect((await request.post("/api/repositories", { data: { name: "envs-config", url: `${e2eState().gitUrl}/platform-config.git` } })).status()).toBe(201);
  }
  await expect
    .poll(
      async () =>
        ((await (await request.get("/api/repositories")).json()).items as Array<{ name: string; status: string }>).find((r) => r.name === "envs-config")
          ?.status,
      { timeout: 30_000 },
    )
    .toBe("ready");
  const clusters = (await (await request.get("/api/clusters")).json()).items as Array<{ name: string }>;
  if (!clusters.some((c) => c.name === "envs-cluster")) {
    const kubeconfig = readFileSync(e2eState().kubeconfigPath, "utf8");
    const res = await request.post("/api/clusters", {
      data: { source: "kubeconfig", name: "envs-cluster", kubeconfig, context: parse(kubeconfig)["current-context"] },
    });
    expect(res.status()).toBe(201);
  }
}

test("create an application and an environment, preview and sync it, watch it become healthy", async ({ page }) => {
  await signInAs(page, "admin");
  await ensurePrerequisites(page.request);

  await page.goto("/applications");
  await page.locator("input[name=application-name]").fill("guestbook");
  await page.getByRole("button", { name: "Create application" }).click();
  await expect(page.getByTestId("application-name")).toHaveText("guestbook");

  const form = page.getByTestId("create-environment-form");
  await form.locator("input[name=env-name]").fill("dev");
  await form.locator("select[name=env-repository]").selectOption({ label: "envs-config" });
  await form.locator("input[name=env-path]").fill("apps/guestbook/overlays/dev");
  await form.locator("select[name=env-cluster]").selectOption({ label: "envs-cluster" });
  await form.locator("input[name=env-namespace]").fill("guestbook-dev");
  await form.getByRole("button", { name: "Add environment" }).click();

  const card = page.getByTestId("env-card-dev");
  await expect(card.getByTestId("sync-status")).toHaveText("OutOfSync", { timeout: 30_000 });
  await card.click();

  await expect(page.getByTestId("resource-Deployment-guestbook").getByTestId("sync-status")).toHaveText("Missing");
  await page.getByRole("button", { name: "Sync…" }).click();
  const preview = page.getByTestId("sync-preview");
  await expect(preview).toContainText("3 object(s) to change");
  await preview.getByRole("button", { name: "Confirm sync of 3 object(s)" }).click();

  const progress = page.getByTestId("sync-progress");
  await expect(progress).toContainText("Deployment/guestbook");
  await expect(progress.getByTestId("sync-run-status")).toHaveText("succeeded", { timeout: 60_000 });
  await expect(page.getByTestId("environment-name").locator("..").getByTestId("sync-status").first()).toHaveText("Synced", { timeout: 30_000 });
  await expect(page.getByTestId("resource-Deployment-guestbook").getByTestId("health-status")).toHaveText("Healthy");

  await page.getByTestId("resource-Deployment-guestbook").getByRole("button").click();
  await expect(page.getByTestId("object-diff").locator(".monaco-diff-editor")).toBeVisible();
  await expect(page.getByTestId("object-diff").locator(".editor.modified")).toContainText("namespace: guestbook-dev");

  await page.getByRole("button", { name: "Sync history" }).click();
  await expect(page.getByTestId("sync-history")).toContainText("manual");
  await page.getByRole("button", { name: "Pending Git changes" }).click();
  await expect(page.getByTestId("deployed-marker")).toBeVisible();
});

test("the overview lists environments with search and filters", async ({ page }) => {
  await signInAs(page, "viewer");
  await page.goto("/applications");
  await expect(page.getByTestId("overview-row-guestbook-dev").getByTestId("sync-status")).toHaveText("Synced");
  await page.getByTestId("overview-search").fill("nothing-like-this");
  await expect(page.getByTestId("overview-table")).toContainText("No environments match.");
  await page.getByTestId("overview-search").fill("guest");
  await page.getByLabel("Sync status").selectOption("OutOfSync");
  await expect(page.getByTestId("overview-row-guestbook-dev")).toHaveCount(0);
});

test("a viewer sees the environment but cannot sync it", async ({ page }) => {
  await signInAs(page, "viewer");
  await page.goto("/applications");
  await page.getByTestId("overview-row-guestbook-dev").getByRole("link", { name: "dev" }).click();
  await expect(page.getByTestId("resource-table")).toBeVisible();
  await expect(page.getByTestId("sync-panel")).toHaveCount(0);
  const id = page.url().split("/").pop()!;
  expect((await page.request.post(`/api/environments/${id}/sync`, { data: {} })).status()).toBe(403);
});

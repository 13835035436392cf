// Promotions in the browser: the pipeline graph, the promote dialog (file diff + object diff),
// a protected prod promoted after two approvals from the inbox, and a rollback from the
// environment page that holds auto-sync.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { parse } from "yaml";
import { e2eState, signInAs } from "./fixtures/state";
import { startGitServer, type GitServer } from "../support/git-server";
import { commitFile } from "../support/demo-repo";

test.describe.configure({ mode: "serial" });

const STAGES = ["dev", "staging", "prod"] as const;
const TAGS = { dev: "2.0.0", staging: "1.4.2", prod: "1.4.2" };
const APPROVERS = [1, 2].map((n) => ({ username: `e2e-approver-${n}`, password: `approver-password-${n}23` }));
const ids = {} as { app: string } & Record<(typeof STAGES)[number], string>;

async function signIn(page: Page, username: string, password: string) {
  const res = await page.request.post("/api/auth/login", { data: { username, password } });
  expect(res.ok(), await res.text()).toBe(true);
}

// This spec pushes commits, so it works on its own copy of the demo repository behind its own Git
// server: other specs count the demo repository's commits.
let gitServer: GitServer;
let gitRoot: string;
test.beforeAll(async () => {
  gitRoot = mkdtempSync(path.join(os.tmpdir(), "tideline-e2e-promo-git-"));
  const bare = path.join(gitRoot, "promo-config.git");
  execFileSync("git", ["clone", "-q", "--bare", `${e2eState().gitUrl}/platform-config.git`, bare], { stdio: "pipe" });
  // Written with plumbing, not a push: a synchronous git client would block this process's own Git server.
  await addShopFolders(bare);
  gitServer = await startGitServer({ root: gitRoot });
});
test.afterAll(async () => {
  await gitServer?.stop();
  rmSync(gitRoot, { recursive: true, force: true });
});
const repoUrl = () => `${gitServer.url}/promo-config.git`;

/** envs/shop/{dev,staging,prod}: guestbook at different tags, in this spec's copy of the demo repository. */
async function addShopFolders(bare: string) {
  for (const stage of STAGES) {
    await commitFile(bare, {
      branch: "main",
      path: `envs/shop/${stage}/kustomization.yaml`,
      message: `shop: ${stage}`,
      content: `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop-${stage}
resources:
  - ../../../apps/guestbook/base
images:
  - name: ghcr.io/example/guestbook
    newTag: ${TAGS[stage]}
`,
    });
  }
}

async function environment(request: APIRequestContext, id: string) {
  return (await (await request.get(`/api/environments/${id}`)).json()).environment as { syncStatus: string; health: string; syncedRevision: string | null };
}

/** As admin: repository, cluster, the shop application with three synced environments, two approvers. */
async function setUp(request: APIRequestContext) {
  let repo = ((await (await request.get("/api/repositories")).json()).items as Array<{ id: string; name: string }>).find((r) => r.name === "promo-config");
  if (!repo) {
    const res = await request.post("/api/repositories", { data: { name: "promo-config", url: repoUrl() } });
    expect(res.status()).toBe(201);
    repo = (await res.json()).repository;
  }
  await expect
    .poll(
      async () =>
        ((await (await request.get("/api/repositories")).json()).items as Array<{ id: string; status: string }>).find((r) => r.id === repo!.id)?.status,
      { timeout: 30_000 },
    )
    .toBe("ready");
  expect((await request.post(`/api/repositories/${repo!.id}/fetch`)).status()).toBeLessThan(300);
  const kubeconfig = readFileSync(e2eState().kubeconfigPath, "utf8");
  const cluster = await request.post("/api/clusters", {
    data: { source: "kubeconfig", name: "promo-cluster", kubeconfig, context: parse(kubeconfig)["current-context"] },
  });
  expect(cluster.status()).toBe(201);
  const clusterId = (await cluster.json()).cluster.id;
  const app = await request.post("/api/applications", { data: { name: "promo-shop" } });
  expect(app.status()).toBe(201);
  ids.app = (await app.json()).application.id;
  for (const stage of STAGES) {
    // The branch index may lag the push by a fetch: retry until the folder is known.
    await expect
      .poll(
        async () => {
          const res = await request.post(`/api/applications/${ids.app}/environments`, {
            data: { name: stage, repositoryId: repo!.id, branch: "main", path: `envs/shop/${stage}`, clusterId, namespace: `shop-${stage}` },
          });
          if (res.status() === 201) ids[stage] = (await res.json()).environment.id;
          else await request.post(`/api/repositories/${repo!.id}/fetch`);
          return res.status();
        },
        { timeout: 30_000 },
      )
      .toBe(201);
  }
  for (const stage of STAGES) {
    await expect.poll(async () => (await request.post(`/api/environments/${ids[stage]}/sync`, { data: {} })).status(), { timeout: 30_000 }).toBe(202);
  }
  for (const stage of STAGES) {
    await expect
      .poll(
        async () => {
          const e = await environment(request, ids[stage]);
          return `${e.syncStatus}/${e.health}`;
        },
        { timeout: 60_000 },
      )
      .toBe("Synced/Healthy");
  }
  for (const a of APPROVERS) expect((await request.post("/api/users", { data: { ...a, role: "approver" } })).status()).toBe(201);
}

test("a developer promotes dev → staging from the pipeline graph after reviewing the preview", async ({ page }) => {
  test.setTimeout(180_000);
  await signInAs(page, "admin");
  await setUp(page.request);

  await signInAs(page, "developer");
  await page.goto(`/applications/${ids.app}`);
  const graph = page.getByTestId("pipeline-graph");
  await expect(graph.getByTestId("stage-dev").getByTestId("stage-image")).toHaveText("guestbook:2.0.0");
  await expect(graph.getByTestId("stage-staging").getByTestId("stage-image")).toHaveText("guestbook:1.4.2");
  await expect(graph.getByTestId("stage-prod").getByTestId("stage-image")).toHaveText("guestbook:1.4.2");
  await expect(graph.getByTestId("stage-staging").getByTestId("health-status")).toHaveText("Healthy");
  await expect(graph.getByTestId("arrow-dev-staging").getByTestId("arrow-image")).toContainText("1.4.2 → 2.0.0");

  await graph.getByTestId("arrow-dev-staging").getByTestId("promote-button").click();
  const dialog = page.getByTestId("promote-dialog");
  await expect(dialog.getByTestId("preview-images")).toContainText("ghcr.io/example/guestbook: 1.4.2 → 2.0.0");
  await expect(dialog.getByTestId("preview-file-envs/shop/staging/kustomization.yaml")).toBeVisible();
  await expect(dialog.getByTestId("preview-files").locator(".monaco-diff-editor")).toBeVisible();
  await expect(dialog.getByTestId("preview-files").locator(".editor.modified")).toContainText("newTag: 2.0.0");
  await expect(dialog.getByTestId("object-diff-Deployment-guestbook")).toContainText("ghcr.io/example/guestbook:2.0.0");
  await dialog.getByRole("button", { name: "Promote" }).click();

  await expect(page).toHaveURL(/\/promotions\/\w+$/);
  await expect(page.getByTestId("promotion-status")).toHaveText("succeeded", { timeout: 60_000 });
  await expect(page.getByTestId("promotion-images")).toContainText("1.4.2 → 2.0.0");
  await page.goto(`/applications/${ids.app}`);
  await expect(page.getByTestId("stage-staging").getByTestId("stage-image")).toHaveText("guestbook:2.0.0");
  await expect(page.getByTestId("arrow-dev-staging").getByTestId("arrow-in-sync")).toBeVisible();
});

test("promotion into protected prod waits for two approvers from their inbox, then syncs", async ({ page }) => {
  test.setTimeout(180_000);
  await signInAs(page, "admin");
  await page.goto(`/environments/${ids.prod}`);
  const settings = page.getByTestId("promotion-settings");
  await settings.locator("input[name=requiredApprovals]").fill("2");
  await settings.getByTestId("promotion-settings-save").click();
  await expect(settings.getByTestId("promotion-settings-saved")).toBeVisible();

  await signInAs(page, "developer");
  await page.goto(`/applications/${ids.app}`);
  await expect(page.getByTestId("stage-prod").getByTestId("stage-protected")).toHaveText("🔒 2 approvals");
  await page.getByTestId("arrow-staging-prod").getByTestId("promote-button").click();
  const dialog = page.getByTestId("promote-dialog");
  await expect(dialog.getByTestId("preview-protected")).toContainText("needs 2 approval(s)");
  await dialog.getByRole("button", { name: "Request approval" }).click();
  await expect(page).toHaveURL(/\/promotions\/\w+$/);
  const promotionUrl = page.url();
  const promotionId = promotionUrl.split("/").pop()!;
  await expect(page.getByTestId("promotion-status")).toHaveText("awaiting approval");
  await expect(page.getByTestId("promotion-approvals")).toHaveText("0 of 2 approval(s)");
  await expect(page.getByTestId("author-note")).toBeVisible();
  await expect(page.getByTestId("approve-button")).toHaveCount(0);

  let lastApproval = 0;
  for (const [i, approver] of APPROVERS.entries()) {
    await signIn(page, approver.username, approver.password);
    await page.goto("/promotions");
    await expect(page.getByTestId("inbox-count")).toHaveText("1");
    const item = page.getByTestId(`inbox-item-${promotionId}`);
    await expect(item).toContainText("staging → prod");
    await item.getByTestId("inbox-review").click();
    await expect(page.getByTestId("promotion-files").locator(".monaco-diff-editor")).toBeVisible();
    await expect(page.getByTestId("promotion-files").locator(".editor.modified")).toContainText("newTag: 2.0.0");
    await page.getByTestId("decision-comment").fill(i === 0 ? "looks good" : "ship it");
    if (i === APPROVERS.length - 1) lastApproval = Date.now();
    await page.getByTestId("approve-button").click();
    if (i === 0) await expect(page.getByTestId("promotion-approvals")).toHaveText("1 of 2 approval(s)");
  }
  await expect
    .poll(async () => (await (await page.request.get(`/api/promotions/${promotionId}`)).json()).promotion.status, { timeout: 90_000, intervals: [100] })
    .toBe("succeeded");
  const ms = Date.now() - lastApproval;
  const prod = await environment(page.request, ids.prod);
  expect(`${prod.syncStatus}/${prod.health}`).toBe("Synced/Healthy");
  console.log(`[measure] last approval -> target synced and healthy: ${ms} ms`);

  await expect(page.getByTestId("promotion-status")).toHaveText("succeeded", { timeout: 15_000 });
  await expect(page.getByTestId("promotion-approvals")).toHaveText("2 of 2 approval(s)");
  const timeline = page.getByTestId("promotion-timeline");
  for (const action of ["created", "change_request_opened", "approved", "merged", "sync_started", "succeeded"]) {
    await expect(timeline.locator(`[data-action=${action}]`).first()).toBeVisible();
  }
  await expect(timeline.locator("[data-action=merged]")).toHaveCount(1);
  await expect(timeline).toContainText(APPROVERS[1]!.username);
  await expect(timeline).toContainText("ship it");
  await page.goto(`/applications/${ids.app}`);
  await expect(page.getByTestId("stage-prod").getByTestId("stage-image")).toHaveText("guestbook:2.0.0");
});

test("rolling staging back from its environment page holds auto-sync and shows the banner", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, "developer");
  await page.goto(`/environments/${ids.staging}`);
  await expect(page.getByTestId("hold-banner")).toHaveCount(0);
  await page.getByTestId("rollback-open").click();
  const targets = page.getByTestId("rollback-targets").locator("li");
  await expect(targets).toHaveCount(2);
  await expect(targets.first()).toContainText("running now");
  await targets.nth(1).getByTestId("rollback-choose").click();
  const confirm = page.getByTestId("rollback-confirm");
  await expect(confirm).toContainText("hold auto-sync");
  await confirm.getByRole("button", { name: "Confirm rollback" }).click();
  await expect(page.getByTestId("rollback-started")).toContainText("auto-sync is held");

  const banner = page.getByTestId("hold-banner");
  await expect(banner).toContainText("Auto-sync held");
  await expect(banner.getByTestId("hold-reason")).toContainText("e2e-dev");
  await expect(banner.getByTestId("hold-revert-link")).toBeVisible({ timeout: 30_000 });
  await page.goto(`/applications/${ids.app}`);
  const stage = page.getByTestId("stage-staging");
  await expect(stage.getByTestId("hold-banner")).toBeVisible();
  await expect(stage.getByTestId("stage-image")).toHaveText("guestbook:1.4.2");
  await expect.poll(async () => (await environment(page.request, ids.staging)).syncedRevision, { timeout: 60_000 }).not.toBeNull();
});

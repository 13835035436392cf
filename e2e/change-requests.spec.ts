// Editing in the browser and change requests, end to end: a developer edits a manifest in Monaco,
// sees a schema marker, the impact on the environment, and proposes; an approver approves; the
// developer merges. Plus two timings printed as "[measure] ..." (no assertions on time).
// The repository is served by a Git server of this spec's own, so merges here never change the
// demo repository the other specs count commits in.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, request, test, type APIRequestContext, type Page } from "@playwright/test";
import { parse } from "yaml";
import { commitFile, createDemoRepository } from "../support/demo-repo";
import { startGitServer, type GitServer } from "../support/git-server";
import { e2eState, signInAs, USERS } from "./fixtures/state";

test.describe.configure({ mode: "serial" });

const NS = "cr-shop-dev";
const SETTINGS = `envs/${NS}/settings.yaml`;
const BIG = `envs/${NS}/big-configmaps.yaml`;
const settings = (greeting: string, extraMetadata = "") =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shop-settings\n${extraMetadata}data:\n  GREETING: "${greeting}"\n`;

/** About 5,000 lines: ConfigMaps of 8 lines each. */
function bigManifest(lines: number) {
  const docs: string[] = [];
  for (let i = 0; docs.length * 9 < lines; i++)
    docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big-${i}\n  labels:\n    app: big\ndata:\n  value: "${i}"`);
  return `${docs.join("\n---\n")}\n`;
}

let git: GitServer;
let root: string;
let admin: APIRequestContext;
let repoId: string;

test.beforeAll(async ({ baseURL }) => {
  test.setTimeout(120_000);
  root = mkdtempSync(path.join(os.tmpdir(), "tideline-e2e-changes-"));
  const bare = path.join(root, "shop-config.git");
  await createDemoRepository(bare);
  await commitFile(bare, {
    branch: "main",
    path: `envs/${NS}/kustomization.yaml`,
    content: `namespace: ${NS}\nresources:\n  - ../../apps/guestbook/overlays/dev\n  - settings.yaml\n`,
    message: "shop: dev environment",
  });
  await commitFile(bare, { branch: "main", path: SETTINGS, content: settings("hello"), message: "shop: settings" });
  await commitFile(bare, { branch: "main", path: BIG, content: bigManifest(5000), message: "shop: a 5,000-line manifest" });
  for (let i = 1; i <= 20; i++)
    await commitFile(bare, {
      branch: "main",
      path: `bulk/file-${String(i).padStart(2, "0")}.yaml`,
      content: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bulk-${i}\ndata:\n  n: "${i}"\n`,
      message: `bulk ${i}`,
    });
  git = await startGitServer({ root });

  admin = await request.newContext({ baseURL });
  expect((await admin.post("/api/auth/login", { data: { username: USERS.admin.username, password: USERS.admin.password } })).ok()).toBe(true);
  const repo = await admin.post("/api/repositories", { data: { name: "shop-config", url: `${git.url}/shop-config.git` } });
  expect(repo.status()).toBe(201);
  repoId = (await repo.json()).repository.id;
  await expect.poll(async () => (await (await admin.get(`/api/repositories/${repoId}`)).json()).repository.status, { timeout: 60_000 }).toBe("ready");
  const kubeconfig = readFileSync(e2eState().kubeconfigPath, "utf8");
  const cluster = await admin.post("/api/clusters", {
    data: { source: "kubeconfig", name: "shop-cluster", kubeconfig, context: parse(kubeconfig)["current-context"] },
  });
  expect(cluster.status()).toBe(201);
  const app = await admin.post("/api/applications", { data: { name: "shop" } });
  expect(app.status()).toBe(201);
  const env = await admin.post(`/api/applications/${(await app.json()).application.id}/environments`, {
    data: { name: "dev", repositoryId: repoId, branch: "main", path: `envs/${NS}`, clusterId: (await cluster.json()).cluster.id, namespace: NS },
  });
  expect(env.status()).toBe(201);
});

test.afterAll(async () => {
  await admin?.dispose();
  await git?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** Replaces a file's text in Monaco the way typing would (the model change reaches the editor's onChange). */
async function setEditorText(page: Page, file: string, text: string) {
  await page.evaluate(
    ({ suffix, value }) => {
      const monaco = (globalThis as unknown as { monaco: { editor: { getModels(): Array<{ uri: { path: string }; setValue(v: string): void }> } } }).monaco;
      const model = monaco.editor.getModels().find((m) => m.uri.path.endsWith(`/${suffix}`));
      if (!model) throw new Error(`no Monaco model for ${suffix}`);
      model.setValue(value);
    },
    { suffix: file, value: text },
  );
}

async function openFromTree(page: Page, file: string) {
  const parts = file.split("/");
  for (let i = 1; i < parts.length; i++) {
    const folder = page.getByTestId(`tree-folder-${parts.slice(0, i).join("/")}`);
    const child = page.getByTestId(i + 1 < parts.length ? `tree-folder-${parts.slice(0, i + 1).join("/")}` : `tree-file-${file}`);
    if (!(await child.isVisible())) await folder.click();
  }
  await page.getByTestId(`tree-file-${file}`).click();
}

const marks = (page: Page) =>
  page.evaluate(() => {
    const at = (name: string) => performance.getEntriesByName(name, "mark")[0]?.startTime ?? null;
    return {
      open: at("tideline:editor:open"),
      ready: at("tideline:editor:ready"),
      validated: at("tideline:editor:validated"),
      click: at("tideline:propose:click"),
      shown: at("tideline:change:shown"),
    };
  });

test("a developer edits a manifest, sees a schema marker and the impact, proposes; an approver approves; the developer merges", async ({ page, browser }) => {
  test.setTimeout(180_000);
  await signInAs(page, "developer");
  await page.goto(`/repositories/${repoId}`);
  await page.getByTestId("edit-files").click();
  await expect(page.getByTestId("file-tree")).toBeVisible();

  // File names are checked as they are typed.
  await page.getByTestId("add-file").click();
  await page.getByTestId("file-name-input").fill("../outside.yaml");
  await expect(page.getByTestId("file-name-error")).toContainText('must not contain ".."');
  await expect(page.getByTestId("file-name-submit")).toBeDisabled();
  await page.getByRole("button", { name: "Cancel" }).click();

  await openFromTree(page, SETTINGS);
  await expect(page.getByTestId("code-editor").locator(".monaco-editor")).toBeVisible();
  await expect(page.getByTestId("validation-status")).toHaveText("No problems");

  await setEditorText(page, SETTINGS, settings("hello", "  labelz:\n    team: shop\n"));
  await expect(page.getByTestId("problem")).toContainText("metadata.labelz: unknown field");
  await expect(page.getByTestId("code-editor").locator(".squiggly-error").first()).toBeAttached();

  await setEditorText(page, SETTINGS, settings("hello from the browser"));
  await expect(page.getByTestId("validation-status")).toHaveText("No problems");
  await expect(page.getByTestId(`pending-${SETTINGS}`)).toBeVisible();

  // A reload keeps the unsaved edit.
  await page.reload();
  await expect(page.getByTestId("review-changes")).toHaveText("Review changes (1)");

  await page.getByTestId("review-changes").click();
  await expect(page.getByTestId("review-panel").locator(".monaco-diff-editor")).toBeVisible();
  const impact = page.getByTestId(`impact-env-shop-dev`);
  await expect(impact.getByTestId("impact-status")).toHaveText("changed", { timeout: 30_000 });
  await expect(impact.getByTestId("impact-object-ConfigMap-shop-settings")).toContainText("modified");
  await page.getByTestId("propose-title").fill("Friendlier greeting");
  await page.getByTestId("propose-body").fill("Says hello from the browser.");
  await page.getByTestId("propose-submit").click();
  await expect(page).toHaveURL(/\/changes\/[a-z0-9]+$/);
  await expect(page.getByTestId("change-title")).toHaveText("#1 Friendlier greeting");
  await expect(page.getByTestId("change-status")).toHaveText("open");
  await expect(page.getByTestId("review-approve")).toHaveCount(0); // not for the author
  await expect(page.getByTestId("change-file-diff").locator(".editor.modified")).toContainText("hello from the browser");
  const url = page.url();

  const approverContext = await browser.newContext();
  const approver = await approverContext.newPage();
  await signInAs(approver, "approver");
  await approver.goto(url);
  await approver.getByTestId("review-body").fill("Looks good.");
  await approver.getByTestId("review-approve").click();
  await expect(approver.getByTestId("review-approved")).toContainText("e2e-approver approved");
  await approverContext.close();

  await page.reload();
  await expect(page.getByTestId("change-approval-summary")).toContainText("1 approval(s) (none required)");
  await page.getByTestId("merge-method").selectOption("merge");
  await page.getByTestId("merge-button").click();
  await expect(page.getByTestId("change-status")).toHaveText("merged");
  await expect(page.getByTestId("merged-sha")).toBeVisible();
  await expect(page.getByTestId("merge-panel")).toHaveCount(0);

  await page.getByTestId("nav-changes").click();
  await page.getByTestId("change-tab-merged").click();
  await expect(page.getByTestId("change-row-shop-config-1")).toContainText("Friendlier greeting");
  await expect(page.getByTestId("change-row-shop-config-1").getByTestId("change-approvals")).toHaveText("1");
});

test("measure: open a 5,000-line manifest until the editor is ready and validation is shown", async ({ page }) => {
  await signInAs(page, "developer");
  await page.goto(`/repositories/${repoId}/edit?ref=main`);
  await expect(page.getByTestId("file-tree")).toBeVisible();
  await openFromTree(page, "envs/cr-shop-dev/settings.yaml"); // Monaco loaded once, as in a working session
  await expect(page.getByTestId("validation-status")).toHaveText("No problems");

  const started = Date.now();
  await page.getByTestId(`tree-file-${BIG}`).click();
  await expect(page.getByTestId("code-editor")).toHaveAttribute("data-path", BIG);
  await expect(page.getByTestId("validation-status")).toHaveAttribute("data-state", "done", { timeout: 60_000 });
  const wall = Date.now() - started;
  const m = await marks(page);
  const lines = await page.evaluate(
    (suffix) =>
      (globalThis as unknown as { monaco: { editor: { getModels(): Array<{ uri: { path: string }; getLineCount(): number }> } } }).monaco.editor
        .getModels()
        .find((x) => x.uri.path.endsWith(`/${suffix}`))
        ?.getLineCount(),
    BIG,
  );
  expect(lines).toBeGreaterThanOrEqual(5000);
  console.log(
    `[measure] open a ${lines}-line manifest: editor ready ${Math.round(m.ready! - m.open!)} ms, validation shown ${Math.round(m.validated! - m.open!)} ms (wall clock ${wall} ms; ${await page.getByTestId("validation-status").innerText()})`,
  );
});

test("measure: propose 20 files, from the click to the change request page", async ({ page }) => {
  await signInAs(page, "developer");
  const branches = (await (await page.request.get(`/api/repositories/${repoId}/branches`)).json()).items as Array<{ name: string; headSha: string }>;
  const head = branches.find((b) => b.name === "main")!.headSha;
  const drafts: Record<string, unknown> = {};
  for (let i = 1; i <= 20; i++) {
    const p = `bulk/file-${String(i).padStart(2, "0")}.yaml`;
    const original = (await (await page.request.get(`/api/repositories/${repoId}/file?ref=${head}&path=${p}`)).json()).file.content as string;
    drafts[p] = { path: p, basePath: p, original, content: original.replace(/n: "\d+"/, `n: "${i * 100}"`) };
  }
  // Twenty edits as the editor keeps them between reloads (sessionStorage), instead of typing them;
  // stored from another page, since the editor writes its own session when it is left.
  await page.goto("/changes");
  const key = `tideline:edit:${repoId}:main`;
  await page.evaluate(({ k, value }) => sessionStorage.setItem(k, value), {
    k: key,
    value: JSON.stringify({ key, baseSha: head, drafts, tabs: [], active: null, revision: 1 }),
  });
  await page.goto(`/repositories/${repoId}/edit?ref=main`);
  await expect(page.getByTestId("review-changes")).toHaveText("Review changes (20)");
  await page.getByTestId("review-changes").click();
  await expect(page.getByTestId("review-files").getByRole("button")).toHaveCount(20);
  await page.getByTestId("propose-title").fill("Bump twenty bulk values");
  await expect(page.getByTestId("propose-submit")).toBeEnabled({ timeout: 60_000 });

  const started = Date.now();
  await page.getByTestId("propose-submit").click();
  await expect(page.getByTestId("change-title")).toHaveText(/Bump twenty bulk values/, { timeout: 60_000 });
  const wall = Date.now() - started;
  await expect(page.getByTestId("change-tab-files")).toHaveText("Files (20)");
  const m = await marks(page);
  console.log(`[measure] propose 20 files: click to change request ${Math.round(m.shown! - m.click!)} ms (wall clock ${wall} ms)`);
  expect(await page.evaluate((k) => sessionStorage.getItem(k), key)).not.toContain("bulk/file-01.yaml");
});

// Approvals bound to what changes (issue 14), in the browser: a developer edits a shared base in
// the editor (a file under no environment's folder) and proposes; the change request page names
// the protected environment whose rendered objects that edit changes and the approvals it needs,
// and the merge stays blocked with that reason. The repository is served by this spec's own Git
// server, so nothing here changes the demo repository other specs count commits in.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, request, test, type APIRequestContext, type Page } from "@playwright/test";
import { parse } from "yaml";
import { commitFile, createDemoRepository } from "../support/demo-repo";
import { startGitServer, type GitServer } from "../support/git-server";
import { e2eState, signInAs, USERS } from "./fixtures/state";

test.describe.configure({ mode: "serial" });

const BASE = "shared/webshop/configmap.yaml";
const settings = (greeting: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: webshop-settings\ndata:\n  GREETING: "${greeting}"\n`;
const overlay = (namespace: string) => `namespace: ${namespace}\nresources:\n  - ../../shared/webshop\n`;

let git: GitServer;
let root: string;
let admin: APIRequestContext;
let repoId: string;

test.beforeAll(async ({ baseURL }) => {
  test.setTimeout(120_000);
  root = mkdtempSync(path.join(os.tmpdir(), "tideline-e2e-approvals-"));
  const bare = path.join(root, "webshop-config.git");
  await createDemoRepository(bare);
  await commitFile(bare, { branch: "main", path: BASE, content: settings("hello"), message: "webshop: shared settings" });
  await commitFile(bare, {
    branch: "main",
    path: "shared/webshop/kustomization.yaml",
    content: "resources:\n  - configmap.yaml\n",
    message: "webshop: shared base",
  });
  await commitFile(bare, { branch: "main", path: "envs/webshop-dev/kustomization.yaml", content: overlay("webshop-dev"), message: "webshop: dev" });
  await commitFile(bare, { branch: "main", path: "envs/webshop-prod/kustomization.yaml", content: overlay("webshop-prod"), message: "webshop: prod" });
  git = await startGitServer({ root });

  admin = await request.newContext({ baseURL });
  expect((await admin.post("/api/auth/login", { data: { username: USERS.admin.username, password: USERS.admin.password } })).ok()).toBe(true);
  const repo = await admin.post("/api/repositories", { data: { name: "webshop-config", url: `${git.url}/webshop-config.git` } });
  expect(repo.status()).toBe(201);
  repoId = (await repo.json()).repository.id;
  await expect.poll(async () => (await (await admin.get(`/api/repositories/${repoId}`)).json()).repository.status, { timeout: 60_000 }).toBe("ready");
  const kubeconfig = readFileSync(e2eState().kubeconfigPath, "utf8");
  const cluster = await admin.post("/api/clusters", {
    data: { source: "kubeconfig", name: "webshop-cluster", kubeconfig, context: parse(kubeconfig)["current-context"] },
  });
  expect(cluster.status()).toBe(201);
  const clusterId = (await cluster.json()).cluster.id;
  const app = await admin.post("/api/applications", { data: { name: "webshop" } });
  expect(app.status()).toBe(201);
  const appId = (await app.json()).application.id;
  for (const [name, requiredApprovals] of [
    ["dev", 0],
    ["prod", 2],
  ] as const) {
    const env = await admin.post(`/api/applications/${appId}/environments`, {
      data: { name, repositoryId: repoId, branch: "main", path: `envs/webshop-${name}`, clusterId, namespace: `webshop-${name}`, requiredApprovals },
    });
    expect(env.status()).toBe(201);
  }
});

test.afterAll(async () => {
  await admin?.dispose();
  await git?.stop();
  rmSync(root, { recursive: true, force: true });
});

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

test("a shared-base edit proposed in the editor names the protected environment it changes and the approvals it needs", async ({ page }) => {
  test.setTimeout(180_000);
  await signInAs(page, "developer");
  await page.goto(`/repositories/${repoId}/edit?ref=main`);
  await expect(page.getByTestId("file-tree")).toBeVisible();
  await openFromTree(page, BASE);
  await expect(page.getByTestId("code-editor").locator(".monaco-editor")).toBeVisible();
  await setEditorText(page, BASE, settings("bonjour"));
  await expect(page.getByTestId(`pending-${BASE}`)).toBeVisible();

  await page.getByTestId("review-changes").click();
  await expect(page.getByTestId("impact-env-webshop-prod").getByTestId("impact-status")).toHaveText("changed", { timeout: 30_000 });
  await page.getByTestId("propose-title").fill("Friendlier shared greeting");
  await page.getByTestId("propose-submit").click();
  await expect(page).toHaveURL(/\/changes\/[a-z0-9]+$/);
  await expect(page.getByTestId("change-title")).toHaveText("#1 Friendlier shared greeting");

  // Only a file of the shared base changed, yet prod's rendered ConfigMap does: prod's approvers must approve.
  const requirement = page.getByTestId("change-requirement-webshop");
  await expect(requirement).toContainText("changes prod: 1 object; needs 2 approvals from approvers of webshop");
  await expect(requirement).toContainText("(0 of 2)");
  await expect(requirement).toHaveAttribute("data-met", "false");
  await expect(page.getByTestId("change-protection")).not.toContainText("dev:"); // unprotected dev needs nobody
  await expect(page.getByTestId("change-approval-summary")).toContainText("of 2 required (protected environment)");
  await expect(page.getByTestId("merge-button")).toBeDisabled();
  await expect(page.getByTestId("merge-blocked-reason")).toContainText("needs 2 approvals from approvers of webshop");
});

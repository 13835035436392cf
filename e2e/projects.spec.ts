// Projects in the browser (issue 14): an admin sets up a team's project on /projects (sources,
// destinations, a member), an environment outside it is refused, and a developer whose edit would
// apply a ClusterRoleBinding sees the refusal naming the project before proposing. The repository
// is served by this spec's own Git server, so other specs' commit counts are untouched.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, request, test, type APIRequestContext, type Page } from "@playwright/test";
import { parse } from "yaml";
import { commitFile, createDemoRepository } from "../support/demo-repo";
import { startGitServer, type GitServer } from "../support/git-server";
import { e2eState, signInAs, USERS } from "./fixtures/state";

test.describe.configure({ mode: "serial" });

const FILE = "envs/shop-dev/app.yaml";
const CONFIG = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shop-settings\ndata:\n  GREETING: hello\n";
const ESCALATION = `${CONFIG}---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: shop-admin\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n  - kind: ServiceAccount\n    name: default\n    namespace: shop-dev\n`;

let git: GitServer;
let root: string;
let admin: APIRequestContext;
let repoId: string;
let clusterId: string;

test.beforeAll(async ({ baseURL }) => {
  test.setTimeout(120_000);
  root = mkdtempSync(path.join(os.tmpdir(), "tideline-e2e-projects-"));
  const bare = path.join(root, "teamshop-config.git");
  await createDemoRepository(bare);
  await commitFile(bare, { branch: "main", path: FILE, content: CONFIG, message: "shop: dev settings" });
  git = await startGitServer({ root });

  admin = await request.newContext({ baseURL });
  expect((await admin.post("/api/auth/login", { data: { username: USERS.admin.username, password: USERS.admin.password } })).ok()).toBe(true);
  const repo = await admin.post("/api/repositories", { data: { name: "teamshop-config", url: `${git.url}/teamshop-config.git` } });
  expect(repo.status()).toBe(201);
  repoId = (await repo.json()).repository.id;
  await expect.poll(async () => (await (await admin.get(`/api/repositories/${repoId}`)).json()).repository.status, { timeout: 60_000 }).toBe("ready");
  const kubeconfig = readFileSync(e2eState().kubeconfigPath, "utf8");
  const cluster = await admin.post("/api/clusters", {
    data: { source: "kubeconfig", name: "teamshop-cluster", kubeconfig, context: parse(kubeconfig)["current-context"] },
  });
  expect(cluster.status()).toBe(201);
  clusterId = (await cluster.json()).cluster.id;
});

test.afterAll(async () => {
  await admin?.dispose();
  await git?.stop();
  rmSync(root, { recursive: true, force: true });
});

async function addRow(section: ReturnType<Page["getByTestId"]>, values: Record<string, string>, title: string) {
  await section.getByRole("button", { name: /^\+ add/ }).click();
  for (const [label, value] of Object.entries(values)) await section.getByLabel(`${title} 1 ${label}`).fill(value);
}

test("an admin sets up a team's project; an environment outside its destinations is refused, one inside is created", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto("/projects");
  await expect(page.getByTestId("project-default")).toBeVisible();
  await page.locator('input[name="project-name"]').fill("team-shop");
  await page.getByRole("button", { name: "Create project" }).click();
  const project = page.getByTestId("project-team-shop");
  await expect(project).toContainText("no applications");

  await addRow(project.getByTestId("rules-sources"), { repository: "*", path: "envs/shop-*/**" }, "Sources");
  await addRow(project.getByTestId("rules-destinations"), { cluster: "teamshop-cluster", namespace: "shop-*" }, "Destinations");
  const saved = page.waitForResponse((r) => r.url().includes("/api/projects/") && r.request().method() === "PATCH");
  await project.getByRole("button", { name: "Save rules" }).click();
  expect((await saved).status()).toBe(200);
  // A rule that cannot match a namespace is refused with the field named, and not stored.
  await expect(project.getByLabel("Destinations 1 namespace")).toHaveValue("shop-*");
  await project.getByLabel("Destinations 1 namespace").fill("Shop_*");
  const refused = page.waitForResponse((r) => r.url().includes("/api/projects/") && r.request().method() === "PATCH");
  await project.getByRole("button", { name: "Save rules" }).click();
  expect((await refused).status()).toBe(422);
  await expect(project.getByTestId("error")).toContainText("namespace");
  await page.reload();
  await expect(page.getByTestId("project-team-shop").getByLabel("Destinations 1 namespace")).toHaveValue("shop-*");

  const members = page.getByTestId("project-team-shop").getByTestId("project-members");
  await members.getByLabel("Member username").fill(USERS.developer.username);
  await members.getByLabel("Role on this project").selectOption("developer");
  await members.getByRole("button", { name: "Grant" }).click();
  await expect(members).toContainText(USERS.developer.username);

  const projects = (await (await admin.get("/api/projects")).json()).items as Array<{ id: string; name: string }>;
  const projectId = projects.find((p) => p.name === "team-shop")!.id;
  const app = await admin.post("/api/applications", { data: { name: "teamshop", projectId } });
  expect(app.status()).toBe(201);
  const appId = (await app.json()).application.id;
  const env = { name: "dev", repositoryId: repoId, branch: "main", path: "envs/shop-dev", clusterId };
  const outside = await admin.post(`/api/applications/${appId}/environments`, { data: { ...env, namespace: "payments-dev" } });
  expect(outside.status()).toBe(422);
  expect((await outside.json()).error.message).toContain("not allowed in project team-shop");
  expect((await admin.post(`/api/applications/${appId}/environments`, { data: { ...env, namespace: "shop-dev" } })).status()).toBe(201);

  await page.goto(`/applications/${appId}`);
  await expect(page.getByTestId("application-project")).toHaveText("project team-shop");
});

test("a developer's edit that would apply a ClusterRoleBinding is refused in the impact check, naming the project", async ({ page }) => {
  test.setTimeout(180_000);
  await signInAs(page, "developer");
  await page.goto(`/repositories/${repoId}/edit?ref=main`);
  await expect(page.getByTestId("file-tree")).toBeVisible();
  for (const folder of ["envs", "envs/shop-dev"]) {
    const child = page.getByTestId(folder === "envs" ? "tree-folder-envs/shop-dev" : `tree-file-${FILE}`);
    if (!(await child.isVisible())) await page.getByTestId(`tree-folder-${folder}`).click();
  }
  await page.getByTestId(`tree-file-${FILE}`).click();
  await expect(page.getByTestId("code-editor").locator(".monaco-editor")).toBeVisible();
  await page.evaluate(
    ({ suffix, value }) => {
      const monaco = (globalThis as unknown as { monaco: { editor: { getModels(): Array<{ uri: { path: string }; setValue(v: string): void }> } } }).monaco;
      const model = monaco.editor.getModels().find((m) => m.uri.path.endsWith(`/${suffix}`));
      if (!model) throw new Error(`no Monaco model for ${suffix}`);
      model.setValue(value);
    },
    { suffix: FILE, value: ESCALATION },
  );
  await expect(page.getByTestId(`pending-${FILE}`)).toBeVisible();

  await page.getByTestId("review-changes").click();
  const impact = page.getByTestId("impact-env-teamshop-dev");
  await expect(impact.getByTestId("impact-status")).toHaveText("error", { timeout: 30_000 });
  const refused = impact.getByTestId("impact-object-ClusterRoleBinding-shop-admin");
  await expect(refused).toContainText("ClusterRoleBinding is not allowed in project team-shop");
  // The unchanged ConfigMap beside it is not listed: the refusal names the one object the edit adds.
  await expect(impact.getByTestId("impact-object-ConfigMap-shop-settings")).toHaveCount(0);
});

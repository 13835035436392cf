// Image automation in the browser: a real registry and a small Git repository of its own (started
// here, so other specs' repositories stay untouched); an admin creates a policy in the UI, pushes an
// image, presses "Check now" and follows the update to its commit.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { parse } from "yaml";
import { commitFile, runGit } from "../support/demo-repo";
import { startGitServer, type GitServer } from "../support/git-server";
import { startRegistry, type TestRegistry } from "../support/registry";
import { e2eState, signInAs } from "./fixtures/state";

test.describe.configure({ mode: "serial" });

const REPO = "example/guestbook";
const NS = "images-e2e";
let registry: TestRegistry;
let git: GitServer;
let root: string;

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: guestbook
spec:
  replicas: 1
  selector:
    matchLabels:
      app: guestbook
  template:
    metadata:
      labels:
        app: guestbook
    spec:
      containers:
        - name: guestbook
          image: ghcr.io/example/guestbook:1.0.0
`;

test.beforeAll(async () => {
  registry = await startRegistry();
  await registry.pushImage(REPO, "1.4.0");
  root = mkdtempSync(path.join(os.tmpdir(), "tideline-e2e-images-"));
  const bare = path.join(root, "images-config.git");
  await runGit(["init", "--bare", "-q", "-b", "main", bare]);
  await commitFile(bare, { branch: "main", path: "apps/guestbook/deployment.yaml", content: deployment, message: "guestbook deployment" });
  await commitFile(bare, {
    branch: "main",
    path: "apps/guestbook/kustomization.yaml",
    content: `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\nimages:\n  - name: ghcr.io/example/guestbook\n    newName: ${registry.host}/${REPO}\n    newTag: 1.4.0\n`,
    message: "guestbook from the team registry",
  });
  git = await startGitServer({ root });
});

test.afterAll(async () => {
  await registry?.stop();
  await git?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** Repository, cluster, application and environment through the API (their own specs cover the UI). */
async function arrange(request: APIRequestContext): Promise<{ repositoryId: string }> {
  const repo = await request.post("/api/repositories", { data: { name: "images-config", url: `${git.url}/images-config.git` } });
  expect(repo.status()).toBe(201);
  const repositoryId = ((await repo.json()) as { repository: { id: string } }).repository.id;
  await expect
    .poll(async () => ((await (await request.get(`/api/repositories/${repositoryId}`)).json()) as { repository: { status: string } }).repository.status, {
      timeout: 30_000,
    })
    .toBe("ready");
  const kubeconfig = readFileSync(e2eState().kubeconfigPath, "utf8");
  const clusters = ((await (await request.get("/api/clusters")).json()) as { items: Array<{ id: string; name: string }> }).items;
  let clusterId = clusters.find((c) => c.name === "images-cluster")?.id;
  if (!clusterId) {
    const res = await request.post("/api/clusters", {
      data: { source: "kubeconfig", name: "images-cluster", kubeconfig, context: parse(kubeconfig)["current-context"] },
    });
    expect(res.status()).toBe(201);
    clusterId = ((await res.json()) as { cluster: { id: string } }).cluster.id;
  }
  const app = await request.post("/api/applications", { data: { name: "images-app" } });
  expect(app.status()).toBe(201);
  const appId = ((await app.json()) as { application: { id: string } }).application.id;
  const env = await request.post(`/api/applications/${appId}/environments`, {
    data: { name: "dev", repositoryId, branch: "main", path: "apps/guestbook", clusterId, namespace: NS },
  });
  expect(env.status(), await env.text()).toBe(201);
  return { repositoryId };
}

test("an admin creates a policy, pushes an image, checks now and follows the update to its commit", async ({ page }) => {
  await signInAs(page, "admin");
  const { repositoryId } = await arrange(page.request);
  await registry.pushImage(REPO, "1.5.0");
  await registry.pushImage(REPO, "2.0.0-rc.1");

  await page.goto("/images");
  const form = page.getByTestId("policy-form");
  await form.locator("input[name=policy-name]").fill("guestbook-e2e");
  await form.locator("input[name=policy-image]").fill(`${registry.host}/${REPO}`);
  await form.locator("input[name=policy-range]").fill(">=1.0.0 <2");
  await form.getByLabel("images-app/dev").check();
  await form.getByRole("button", { name: "Create policy" }).click();
  const row = page.getByTestId("policy-guestbook-e2e");
  await expect(row).toContainText(`${registry.host}/${REPO}`);

  await row.getByRole("link", { name: "guestbook-e2e" }).click();
  await expect(page.getByTestId("policy-name")).toHaveText("guestbook-e2e");
  await page.getByRole("button", { name: "Check now" }).click();
  // The background poller may have got there first: either way the check answers and the loop shows the commit.
  await expect(page.getByTestId("check-result")).toContainText("Newest allowed tag: 1.5.0");
  await expect(page.getByTestId("latest-tag")).toHaveText("1.5.0");
  const update = page.getByTestId("update-dev-1.5.0");
  await expect(update.getByTestId("update-status")).toHaveText("committed");
  await expect(update).toContainText("1.4.0 → 1.5.0");
  const link = update.getByTestId("commit-link");
  await expect(link).toHaveAttribute("href", new RegExp(`^/repositories/${repositoryId}/commits/[0-9a-f]{40}$`));

  await link.click();
  await expect(page.getByTestId("commit-title")).toHaveText("chore(images): guestbook 1.4.0 -> 1.5.0 in dev");
  await expect(page.getByTestId("changed-files")).toContainText("apps/guestbook/kustomization.yaml");
});

test("a viewer sees policies and updates but no controls", async ({ page }) => {
  await signInAs(page, "viewer");
  await page.goto("/images");
  await expect(page.getByTestId("policy-guestbook-e2e").getByTestId("latest-tag")).toHaveText("1.5.0");
  await expect(page.getByTestId("policy-form")).toHaveCount(0);
  await page.getByRole("link", { name: "guestbook-e2e" }).click();
  await expect(page.getByTestId("update-dev-1.5.0").getByTestId("update-status")).toHaveText(/committed|synced/);
  await expect(page.getByRole("button", { name: "Check now" })).toHaveCount(0);
});

// The resource tree and live updates in the browser: a synced Deployment shows its ReplicaSet and
// Pods from the test bed; edits made with kubectl (scale, a rollout whose pods start Pending,
// an Event) show up on the open page without a reload; an idle page makes no requests besides
// its stream.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { parse } from "yaml";
import { e2eState, signInAs } from "./fixtures/state";
import { startGitServer, type GitServer } from "../support/git-server";
import { commitFile, runGit } from "../support/demo-repo";

test.describe.configure({ mode: "serial" });

const NS = "tree-e2e";
const APP = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: registry.example.com/tree/web:1.0.0
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: { app: web }
  ports: [{ port: 80 }]
`;

let gitServer: GitServer;
let gitRoot: string;
test.beforeAll(async () => {
  gitRoot = mkdtempSync(path.join(os.tmpdir(), "tideline-e2e-tree-git-"));
  const bare = path.join(gitRoot, "tree-config.git");
  await runGit(["init", "-q", "--bare", "-b", "main", bare]);
  await commitFile(bare, { branch: "main", path: "tree/app.yaml", content: APP, message: "tree: web" });
  gitServer = await startGitServer({ root: gitRoot });
});
test.afterAll(async () => {
  await gitServer?.stop();
  rmSync(gitRoot, { recursive: true, force: true });
});

const kubectl = (args: string[], input?: string) =>
  execFileSync("kubectl", ["--kubeconfig", e2eState().kubeconfigPath, "-n", NS, ...args], { input, stdio: ["pipe", "pipe", "pipe"] }).toString();

/** Repository, cluster, application and environment through the API, then one sync to the end. */
async function syncedEnvironment(request: APIRequestContext): Promise<string> {
  const repo = await request.post("/api/repositories", { data: { name: "tree-config", url: `${gitServer.url}/tree-config.git` } });
  expect(repo.status(), await repo.text()).toBe(201);
  const repositoryId = (await repo.json()).repository.id as string;
  await expect.poll(async () => (await (await request.get(`/api/repositories/${repositoryId}`)).json()).repository?.status, { timeout: 30_000 }).toBe("ready");
  const kubeconfig = readFileSync(e2eState().kubeconfigPath, "utf8");
  const cluster = await request.post("/api/clusters", {
    data: { source: "kubeconfig", name: "tree-cluster", kubeconfig, context: parse(kubeconfig)["current-context"] },
  });
  expect(cluster.status(), await cluster.text()).toBe(201);
  const clusterId = (await cluster.json()).cluster.id as string;
  const app = await request.post("/api/applications", { data: { name: "treeapp" } });
  expect(app.status(), await app.text()).toBe(201);
  const env = await request.post(`/api/applications/${(await app.json()).application.id}/environments`, {
    data: { name: "dev", repositoryId, clusterId, branch: "main", path: "tree", namespace: NS, autoSync: false },
  });
  expect(env.status(), await env.text()).toBe(201);
  const id = (await env.json()).environment.id as string;
  await expect.poll(async () => ((await (await request.get(`/api/environments/${id}`)).json()).resources ?? []).length, { timeout: 30_000 }).toBe(2);
  const preview = await (await request.post(`/api/environments/${id}/sync`, { data: { dryRun: true } })).json();
  const sync = await request.post(`/api/environments/${id}/sync`, { data: { expectedRevision: preview.revision } });
  expect(sync.status(), await sync.text()).toBe(202);
  const { runId } = await sync.json();
  await expect.poll(async () => (await (await request.get(`/api/sync-runs/${runId}`)).json()).run.status, { timeout: 60_000 }).toBe("succeeded");
  return id;
}

test("the tree shows the Deployment's ReplicaSet and Pods, and kubectl edits appear live without a reload", async ({ page }) => {
  await signInAs(page, "admin");
  const id = await syncedEnvironment(page.request);

  await page.goto(`/environments/${id}`);
  await page.getByRole("button", { name: "Resource tree" }).click();
  await expect(page.getByTestId("live-status")).toHaveAttribute("data-state", "live");
  const tree = page.getByTestId("resource-tree");
  const pods = tree.locator('[data-testid^="tree-node-Pod-web-"]');
  await expect(tree.getByTestId("tree-node-Deployment-web")).toBeVisible();
  await expect(tree.locator('[data-testid^="tree-node-ReplicaSet-web-"]')).toHaveCount(1);
  await expect(pods).toHaveCount(2);
  await expect(pods.first()).toContainText("Running · 1/1");
  await expect(tree.locator('[data-testid^="tree-node-EndpointSlice-web-"]')).toHaveCount(1);
  await expect(tree.getByTestId("tree-node-Deployment-web")).toHaveAttribute("data-health", "Healthy", { timeout: 20_000 });

  // From here on the page must not reload: a marker on window would be lost.
  await page.evaluate(() => ((window as unknown as { tidelineMarker: number }).tidelineMarker = 42));
  const requests: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("/api/") && !r.url().includes("/stream")) requests.push(r.url());
  });

  // kubectl scale: a third pod appears.
  const scaled = Date.now();
  kubectl(["scale", "deployment/web", "--replicas=3"]);
  await expect(pods).toHaveCount(3, { timeout: 10_000 });
  console.log(`scale -> third pod on the page: ${Date.now() - scaled} ms`);

  // A rollout whose new pods stay Pending for a few seconds (the test bed's start-delay): Pending, then Running.
  kubectl([
    "patch",
    "deployment/web",
    "--type=merge",
    "-p",
    JSON.stringify({ spec: { template: { metadata: { annotations: { "testbed.tideline.dev/start-delay": "4s" } } } } }),
  ]);
  await expect(tree.locator('[data-testid^="tree-node-ReplicaSet-web-"]')).toHaveCount(2, { timeout: 10_000 });
  await expect(pods.filter({ hasText: "Pending" }).first()).toBeVisible({ timeout: 10_000 });
  await expect(tree.getByTestId("tree-node-Deployment-web")).toHaveAttribute("data-health", "Progressing");
  await expect(pods.filter({ hasText: "Pending" })).toHaveCount(0, { timeout: 30_000 });
  await expect(tree.getByTestId("tree-node-Deployment-web")).toHaveAttribute("data-health", "Healthy", { timeout: 30_000 });

  // An event about one pod: in the namespace's events, on the pod's row, and beside it when selected.
  const podName = ((await pods.first().getAttribute("data-testid")) ?? "").replace("tree-node-Pod-", "");
  kubectl(
    ["create", "-f", "-"],
    JSON.stringify({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: `${podName}.e2e`, namespace: NS },
      involvedObject: { kind: "Pod", name: podName, namespace: NS },
      type: "Warning",
      reason: "E2EWarning",
      message: "seen by the browser test",
      count: 2,
      lastTimestamp: new Date().toISOString(),
      firstTimestamp: new Date().toISOString(),
    }),
  );
  await expect(page.getByTestId("namespace-events").getByTestId("event-E2EWarning")).toBeVisible({ timeout: 10_000 });
  await expect(tree.getByTestId(`tree-node-Pod-${podName}`)).toContainText("⚠ 1");
  await tree.getByTestId(`tree-node-Pod-${podName}`).click();
  await expect(page.getByTestId("node-details").getByTestId("object-events")).toContainText("seen by the browser test");
  await expect(page.getByTestId("node-details")).toContainText("registry.example.com/tree/web:1.0.0");

  // Graph mode: the same objects as cards, owners left of what they own, one edge per ownership.
  const podCount = await pods.count();
  const replicaSets = await tree.locator('[data-testid^="tree-node-ReplicaSet-web-"]').count();
  await page.getByTestId("tree-mode-graph").click();
  const graph = page.getByTestId("tree-graph");
  await expect(graph.getByTestId("graph-node-Deployment-web")).toHaveAttribute("data-health", "Healthy");
  await expect(graph.locator('[data-testid^="graph-node-ReplicaSet-web-"]')).toHaveCount(replicaSets);
  await expect(graph.locator('[data-testid^="graph-node-Pod-web-"]')).toHaveCount(podCount);
  await expect(graph.locator(".react-flow__edge")).toHaveCount(replicaSets + podCount + 1); // + Service -> EndpointSlice
  const deploymentBox = await graph.getByTestId("graph-node-Deployment-web").boundingBox();
  const podBox = await graph.getByTestId(`graph-node-Pod-${podName}`).boundingBox();
  expect(podBox!.x).toBeGreaterThan(deploymentBox!.x);
  await graph.getByTestId(`graph-node-Pod-${podName}`).click();
  await expect(page.getByTestId("node-details")).toContainText(podName);
  await expect(page.getByTestId("node-details").getByTestId("object-events")).toContainText("seen by the browser test");
  // Collapsing the Deployment hides what it owns, in the graph as in the tree.
  await graph.getByTestId("graph-node-Deployment-web").getByRole("button", { name: "Collapse" }).click();
  await expect(graph.locator('[data-testid^="graph-node-Pod-web-"]')).toHaveCount(0);
  await expect(graph.getByTestId("graph-node-Deployment-web")).toBeVisible();
  await graph.getByTestId("graph-node-Deployment-web").getByRole("button", { name: "Expand" }).click();
  await expect(graph.locator('[data-testid^="graph-node-Pod-web-"]')).toHaveCount(podCount);
  // The filters apply to the graph as to the tree: the Pods and what leads to them, not the Service.
  await expect(graph.getByTestId("graph-node-Service-web")).toBeVisible();
  await page.getByLabel("Kind").selectOption("Pod");
  await expect(graph.getByTestId("graph-node-Service-web")).toHaveCount(0);
  await expect(graph.locator('[data-testid^="graph-node-EndpointSlice-web-"]')).toHaveCount(0);
  await expect(graph.locator('[data-testid^="graph-node-Pod-web-"]')).toHaveCount(podCount);
  await expect(graph.getByTestId("graph-node-Deployment-web")).toBeVisible();
  await page.getByLabel("Kind").selectOption("");

  // List mode and filters.
  await page.getByTestId("tree-mode-list").click();
  await page.getByLabel("Kind").selectOption("Pod");
  await expect(page.getByTestId("tree-count")).toContainText("3 of");

  expect(await page.evaluate(() => (window as unknown as { tidelineMarker?: number }).tidelineMarker)).toBe(42);
  // Everything above arrived over the stream: the page fetched nothing about the environment.
  const environmentRequests = () => requests.filter((u) => u.includes("/api/environments/"));
  expect(environmentRequests(), requests.join("\n")).toEqual([]);

  // Idle for 10 s: no request at all besides the streams (the layout's badges follow the user's hint stream too).
  const beforeIdle = requests.length;
  await page.waitForTimeout(10_000);
  const idle = requests.slice(beforeIdle).filter((u) => new URL(u).pathname !== "/api/live");
  expect(idle, idle.join("\n")).toEqual([]);

  // The open tab is in the URL: a reload opens the tree again.
  await expect(page).toHaveURL(/[?&]tab=tree\b/);
  await page.reload();
  await expect(page.getByTestId("resource-tree").getByTestId("tree-node-Deployment-web")).toBeVisible();
  console.log(
    `requests besides the stream during the test: ${requests.length} (${[...new Set(requests.map((u) => new URL(u).pathname))].join(", ") || "none"})`,
  );
});

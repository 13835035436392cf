// The live stream survives a server restart: the spec runs its OWN second `next start` (same build,
// database and secret key as the shared server, web role so it runs no jobs), opens an environment
// page on it, kills the server (SIGKILL), starts it again on the same port, and checks that the page
// shows the stream as down while it is gone, live again afterwards, and that a kubectl change made
// after the restart appears without a reload. The shared server is never touched.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { parse } from "yaml";
import { e2eState, signInAs } from "./fixtures/state";
import { ROOT } from "../support/stack";
import { startGitServer, type GitServer } from "../support/git-server";
import { commitFile, runGit } from "../support/demo-repo";

test.describe.configure({ mode: "serial" });

const NS = "resume-e2e";
const PORT = Number(process.env.E2E_PORT ?? 3100) + 17;
const BASE = `http://127.0.0.1:${PORT}`;
const APP = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: registry.example.com/resume/web:1.0.0
`;

let server: ChildProcess | undefined;

/** `next start` from the shared build with the shared server's environment, on PORT, role web. */
async function startServer() {
  const env = { ...process.env, ...e2eState().serverEnv, TIDELINE_PUBLIC_URL: BASE, TIDELINE_ROLE: "web" };
  const child = spawn(path.join(ROOT, "node_modules", ".bin", "next"), ["start", "-p", String(PORT), "-H", "127.0.0.1"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  server = child;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`second server exited with ${child.exitCode}`);
    const up = await fetch(`${BASE}/login`).then(
      (r) => r.status < 500,
      () => false,
    );
    if (up) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`second server on ${PORT} did not start`);
}

/** SIGKILL of the whole process group (next start forks), then wait until the port refuses. */
async function killServer() {
  const child = server;
  server = undefined;
  if (!child?.pid) return;
  const exited = new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once("exit", r)));
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {}
  await exited;
  for (let i = 0; i < 50; i++) {
    const refused = await fetch(`${BASE}/login`).then(
      () => false,
      () => true,
    );
    if (refused) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

let gitServer: GitServer;
let gitRoot: string;
test.beforeAll(async () => {
  gitRoot = mkdtempSync(path.join(os.tmpdir(), "tideline-e2e-resume-git-"));
  const bare = path.join(gitRoot, "resume-config.git");
  await runGit(["init", "-q", "--bare", "-b", "main", bare]);
  await commitFile(bare, { branch: "main", path: "resume/app.yaml", content: APP, message: "resume: web" });
  gitServer = await startGitServer({ root: gitRoot });
  await startServer();
});
test.afterAll(async () => {
  await killServer();
  await gitServer?.stop();
  rmSync(gitRoot, { recursive: true, force: true });
});

const kubectl = (args: string[]) =>
  execFileSync("kubectl", ["--kubeconfig", e2eState().kubeconfigPath, "-n", NS, ...args], { stdio: ["pipe", "pipe", "pipe"] }).toString();

/** Repository, cluster, application and a synced environment, through the second server's API (jobs run on the shared one). */
async function syncedEnvironment(request: APIRequestContext): Promise<string> {
  const repo = await request.post("/api/repositories", { data: { name: "resume-config", url: `${gitServer.url}/resume-config.git` } });
  expect(repo.status(), await repo.text()).toBe(201);
  const repositoryId = (await repo.json()).repository.id as string;
  await expect.poll(async () => (await (await request.get(`/api/repositories/${repositoryId}`)).json()).repository?.status, { timeout: 30_000 }).toBe("ready");
  const kubeconfig = readFileSync(e2eState().kubeconfigPath, "utf8");
  const cluster = await request.post("/api/clusters", {
    data: { source: "kubeconfig", name: "resume-cluster", kubeconfig, context: parse(kubeconfig)["current-context"] },
  });
  expect(cluster.status(), await cluster.text()).toBe(201);
  const app = await request.post("/api/applications", { data: { name: "resumeapp" } });
  expect(app.status(), await app.text()).toBe(201);
  const env = await request.post(`/api/applications/${(await app.json()).application.id}/environments`, {
    data: { name: "dev", repositoryId, clusterId: (await cluster.json()).cluster.id, branch: "main", path: "resume", namespace: NS, autoSync: false },
  });
  expect(env.status(), await env.text()).toBe(201);
  const id = (await env.json()).environment.id as string;
  await expect.poll(async () => ((await (await request.get(`/api/environments/${id}`)).json()).resources ?? []).length, { timeout: 30_000 }).toBe(1);
  const preview = await (await request.post(`/api/environments/${id}/sync`, { data: { dryRun: true } })).json();
  const sync = await request.post(`/api/environments/${id}/sync`, { data: { expectedRevision: preview.revision } });
  expect(sync.status(), await sync.text()).toBe(202);
  const { runId } = await sync.json();
  await expect.poll(async () => (await (await request.get(`/api/sync-runs/${runId}`)).json()).run.status, { timeout: 60_000 }).toBe("succeeded");
  return id;
}

test("after the server is killed and restarted the page goes from live to polling and back, and later kubectl changes still arrive", async ({ browser }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext({ baseURL: BASE });
  const page = await context.newPage();
  await signInAs(page, "admin");
  const id = await syncedEnvironment(page.request);

  await page.goto(`/environments/${id}`);
  await page.getByRole("button", { name: "Resource tree" }).click();
  const badge = page.getByTestId("live-status");
  const pods = page.getByTestId("resource-tree").locator('[data-testid^="tree-node-Pod-web-"]');
  await expect(badge).toHaveAttribute("data-state", "live");
  await expect(pods).toHaveCount(1);
  await page.evaluate(() => ((window as unknown as { tidelineMarker: number }).tidelineMarker = 7));

  await killServer();
  // Shown as such: the badge says the stream is down and the page polls; what was shown stays.
  await expect(badge).toHaveAttribute("data-state", "polling", { timeout: 10_000 });
  await expect(badge).toHaveText("polling");
  await expect(pods).toHaveCount(1);

  await startServer();
  // The new process cannot resume the old epoch: it answers the resume id with a fresh snapshot.
  await expect(badge).toHaveAttribute("data-state", "live", { timeout: 45_000 });
  await expect(badge).toHaveText("● live");

  kubectl(["scale", "deployment/web", "--replicas=3"]);
  await expect(pods).toHaveCount(3, { timeout: 15_000 });
  await expect(badge).toHaveAttribute("data-state", "live");
  expect(await page.evaluate(() => (window as unknown as { tidelineMarker?: number }).tidelineMarker)).toBe(7);
  await context.close();
});

// Several real worker processes (server/worker-main.ts) on one Postgres of their own, one Git
// server and the test bed: they share a 50-environment fleet without overlapping, and a kill -9
// of the worker holding a sync, a landing or a cluster's watch, or a Postgres restart, leaves
// nothing stuck.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, chmodSync, rmSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../lib/generated/prisma/client";
import { freePort, startEmbeddedPostgres, ensureDatabase, type RunningPostgres } from "../../support/postgres";
import { migrate } from "../../support/stack";
import { runGit } from "../../support/demo-repo";
import { seal, unseal } from "../../lib/crypto/keyring";
import { addRepository } from "../../lib/repositories/add-repository";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { registerCluster } from "../../lib/clusters/manage-clusters";
import { createApplication, createEnvironment } from "../../lib/environments/manage-environments";
import { requestSync } from "../../lib/reconcile/request-sync";
import { JobEngine } from "../../lib/jobs/engine";
import { kubeRequest } from "../../lib/kube/transport";
import { startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { adminClient, eventually, testbedKubeconfig } from "../helpers/testbed";
import { uniqueName } from "../helpers/db";

const FLEET = 50;
const WORKERS = ["w1", "w2", "w3"] as const;
const tag = uniqueName("fl").toLowerCase();

let pgDir: string;
let pgPort: number;
let pg: RunningPostgres;
let url: string;
let prisma: PrismaClient;
let engine: JobEngine;
let git: GitFixtures;
let bare: string;
let work: string;
let clusterId: string;
let envIds: string[] = [];
let slowEnvId: string;
const workers = new Map<string, ChildProcess>();
const logs = new Map<string, string>();

const cm = (i: number, version: string) =>
  stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: { index: String(i), version } });
// A Deployment whose pods start 40 s late: its sync is "waiting for health" long enough to kill the worker holding it.
const slowDeployment = (label: string) =>
  stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "slow" },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "slow" } },
      template: {
        metadata: { labels: { app: "slow", rev: label }, annotations: { "testbed.tideline.dev/start-delay": "40s" } },
        spec: { containers: [{ name: "c", image: "registry.example/slow:1" }] },
      },
    },
  });

async function commitAll(message: string, files: Record<string, string>) {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
    writeFileSync(path.join(work, file), content);
  }
  const env = { GIT_AUTHOR_NAME: "Test", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "Test", GIT_COMMITTER_EMAIL: "t@example.com" };
  await runGit(["-C", work, "add", "-A"]);
  await runGit(["-C", work, "commit", "-q", "-m", message], { env });
  await runGit(["-C", work, "push", "-q", "origin", "main"]);
  return runGit(["-C", work, "rev-parse", "HEAD"]);
}

function startWorkerProcess(name: string) {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "server/worker-main.ts"], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      TIDELINE_JOB_SCHEMA: "tideline_jobs",
      TIDELINE_WORKER_NAME: name,
      TIDELINE_DATA_DIR: path.join(pgDir, "data", name),
      TIDELINE_RECONCILE_INTERVAL_SECONDS: "300",
      TIDELINE_FETCH_INTERVAL_SECONDS: "0",
      TIDELINE_IMAGE_POLL_TICK_SECONDS: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  logs.set(name, "");
  const keep = (c: Buffer) => logs.set(name, (logs.get(name)! + c.toString()).slice(-20_000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  workers.set(name, child);
  return child;
}

function kill9(name: string) {
  workers.get(name)!.kill("SIGKILL");
  workers.delete(name);
}

const runsOf = (environmentId: string) => prisma.syncRun.findMany({ where: { environmentId }, orderBy: { queuedAt: "asc" } });

beforeAll(async () => {
  pgDir = mkdtempSync(path.join(os.tmpdir(), "tideline-workers-"));
  chmodSync(pgDir, 0o755);
  pgPort = await freePort();
  pg = await startEmbeddedPostgres({ dataDir: path.join(pgDir, "pg"), port: pgPort, quiet: true });
  await ensureDatabase(pg.adminUrl, "fleet");
  url = pg.urlFor("fleet");
  migrate(url);
  prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 4 }) });
  engine = new JobEngine({ connectionString: url });
  await engine.start();

  git = await startGitFixtures();
  bare = path.join(git.root, `${tag}.git`);
  await runGit(["init", "-q", "--bare", "-b", "main", bare]);
  work = path.join(pgDir, "work");
  await runGit(["clone", "-q", bare, work]);
  const files: Record<string, string> = { [`slow/deployment.yaml`]: slowDeployment("a") };
  for (let i = 0; i < FLEET; i++) files[`fleet/e${i}/settings.yaml`] = cm(i, "1");
  await commitAll("fleet", files);

  const mirrorsDir = path.join(pgDir, "data", "test", "mirrors");
  const repo = await addRepository({ prisma, seal }, { name: tag, url: `${git.open.url}/${path.basename(bare)}` }, null);
  await fetchRepository({ prisma, mirrorsDir, unseal }, repo.id);
  const kubeconfig = testbedKubeconfig("admin");
  const { cluster } = await registerCluster(
    { prisma, seal, unseal },
    { source: "kubeconfig", name: tag, kubeconfig, context: parse(kubeconfig)["current-context"] },
  );
  clusterId = cluster.id;
  const app = await createApplication(prisma, { name: tag });
  for (let i = 0; i < FLEET; i++) {
    const e = await createEnvironment(prisma, mirrorsDir, app.id, {
      name: `e${i}`,
      branch: "main",
      repositoryId: repo.id,
      clusterId,
      renderer: "auto",
      helmValuesFiles: [],
      path: `fleet/e${i}`,
      namespace: `${tag}-e${i}`,
    });
    await prisma.environment.update({ where: { id: e.id }, data: { autoSync: true, prune: true } });
    envIds.push(e.id);
  }
  const slow = await createEnvironment(prisma, mirrorsDir, app.id, {
    name: "slow",
    branch: "main",
    repositoryId: repo.id,
    clusterId,
    renderer: "auto",
    helmValuesFiles: [],
    path: "slow",
    namespace: `${tag}-slow`,
  });
  slowEnvId = slow.id;
  for (const name of WORKERS) startWorkerProcess(name);
}, 180_000);

afterAll(async () => {
  for (const child of workers.values()) child.kill("SIGKILL");
  await engine?.stop({ graceful: false }).catch(() => {});
  await prisma?.$disconnect();
  await git?.stop();
  await pg?.stop().catch(() => {});
  rmSync(pgDir, { recursive: true, force: true });
});

/** Every run's [start, end] per environment, asserted not to overlap. */
async function assertNoOverlap(ids: string[]) {
  for (const id of ids) {
    const runs = (await runsOf(id)).filter((r) => r.status !== "queued");
    for (let i = 1; i < runs.length; i++) {
      const previousEnd = runs[i - 1]!.finishedAt?.getTime() ?? Number.POSITIVE_INFINITY;
      expect(runs[i]!.startedAt.getTime(), `runs of ${id} overlap`).toBeGreaterThanOrEqual(previousEnd);
    }
  }
}

describe("three workers on one Postgres", () => {
  it("reconcile and sync all 50 environments once each, spread over the workers", async () => {
    const synced = await eventually(
      () => prisma.environment.findMany({ where: { id: { in: envIds } }, select: { syncedRevision: true, syncStatus: true } }),
      (envs) => envs.every((e) => e.syncedRevision && e.syncStatus === "Synced"),
      150_000,
    );
    expect(synced).toHaveLength(FLEET);
    const runs = await prisma.syncRun.findMany({ where: { environmentId: { in: envIds } } });
    // One trigger (the first reconcile) -> exactly one sync per environment.
    const perEnv = new Map<string, number>();
    for (const r of runs) perEnv.set(r.environmentId, (perEnv.get(r.environmentId) ?? 0) + 1);
    expect(
      [...perEnv.values()].every((n) => n === 1),
      JSON.stringify([...perEnv.entries()].filter(([, n]) => n !== 1)),
    ).toBe(true);
    expect(runs.every((r) => r.status === "succeeded" && r.trigger === "auto")).toBe(true);
    const byWorker = new Set(runs.map((r) => r.workerName));
    expect(byWorker.size, `syncs by ${[...byWorker].join(", ")}`).toBeGreaterThanOrEqual(2);
    await assertNoOverlap(envIds);
  }, 180_000);

  it("a commit touching every environment syncs each exactly once more, however many triggers arrive", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < FLEET; i++) files[`fleet/e${i}/settings.yaml`] = cm(i, "2");
    const sha = await commitAll("version 2 everywhere", files);
    await engine.send("repository.fetch", { repositoryId: (await prisma.repository.findFirstOrThrow()).id, reason: "test" });
    // Duplicate triggers (webhook retries, watch events) for every environment meanwhile.
    for (const environmentId of envIds) for (let k = 0; k < 3; k++) await engine.send("environment.work", { environmentId, reason: `duplicate ${k}` });
    await eventually(
      () => prisma.environment.findMany({ where: { id: { in: envIds } }, select: { syncedRevision: true } }),
      (envs) => envs.every((e) => e.syncedRevision === sha),
      150_000,
    );
    const runs = await prisma.syncRun.findMany({ where: { environmentId: { in: envIds }, revision: sha } });
    expect(runs).toHaveLength(FLEET);
    expect(new Set(runs.map((r) => r.environmentId)).size).toBe(FLEET);
    await assertNoOverlap(envIds);
  }, 180_000);

  it("kill -9 of the worker waiting on a sync's health: the run is marked interrupted and another worker resumes it within 30 s", async () => {
    const { runId } = await requestSync({ prisma, jobs: engine }, slowEnvId, { actorName: "tester" });
    const holding = await eventually(
      () => prisma.syncRun.findUniqueOrThrow({ where: { id: runId } }),
      (r) => r.status === "running" && (r.results as Array<{ kind: string; action: string }>).some((o) => o.kind === "Deployment" && o.action === "applied"),
      60_000,
    );
    const victim = holding.workerName!;
    expect(WORKERS).toContain(victim);
    const killedAt = Date.now();
    kill9(victim);
    const resumed = await eventually(
      () => prisma.syncRun.findFirst({ where: { resumedFromId: runId } }),
      (r) => r !== null && r.status !== "queued",
      30_000,
    );
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    expect(resumed!.workerName).not.toBe(victim);
    const interrupted = await prisma.syncRun.findUniqueOrThrow({ where: { id: runId } });
    expect(interrupted.status).toBe("interrupted");
    expect(interrupted.error).toContain(`Tideline stopped during this sync (worker ${victim})`);
    expect(interrupted.error).toMatch(/; [1-9]\d* object\(s\) were applied or pruned before it stopped\. Resumed as run /);
    expect(interrupted.results).toEqual(holding.results); // what was applied so far is kept
    // The resumed run finishes (the pods start 40 s after they were created).
    const done = await eventually(
      () => prisma.syncRun.findUniqueOrThrow({ where: { id: resumed!.id } }),
      (r) => !["queued", "running"].includes(r.status),
      120_000,
    );
    expect(done.status).toBe("succeeded");
    startWorkerProcess(victim);
  }, 240_000);

  it("kill -9 of the cluster's watch owner: another worker owns it within 30 s and detects live drift", async () => {
    const owner = (
      await eventually(
        () => prisma.cluster.findUniqueOrThrow({ where: { id: clusterId } }),
        (c) => c.watchOwner !== null,
        90_000,
      )
    ).watchOwner!;
    const killedAt = Date.now();
    kill9(owner);
    const next = await eventually(
      () => prisma.cluster.findUniqueOrThrow({ where: { id: clusterId } }),
      (c) => c.watchOwner !== null && c.watchOwner !== owner,
      30_000,
    );
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    expect(WORKERS).toContain(next.watchOwner);
    // A live edit by hand is noticed by the new owner (no self-heal: it stays OutOfSync and is reported).
    const ns = `${tag}-e7`;
    await kubeRequest(adminClient(), "PATCH", `/api/v1/namespaces/${ns}/configmaps/settings`, {
      contentType: "application/merge-patch+json",
      body: { data: { version: "edited by hand" } },
    });
    const state = await eventually(
      () => prisma.resourceState.findFirstOrThrow({ where: { environmentId: envIds[7], kind: "ConfigMap", name: "settings" } }),
      (r) => r.syncStatus === "OutOfSync",
      30_000,
    );
    expect(state.syncStatus).toBe("OutOfSync");
    startWorkerProcess(owner);
  }, 120_000);

  it("Postgres restarting under running workers loses no job and runs none twice", async () => {
    const chosen = envIds.slice(10, 20);
    const asked: string[] = [];
    for (const id of chosen) asked.push((await requestSync({ prisma, jobs: engine }, id, { actorName: "restart-test" })).runId);
    await pg.stop();
    await new Promise((r) => setTimeout(r, 4000));
    pg = await startEmbeddedPostgres({ dataDir: path.join(pgDir, "pg"), port: pgPort, quiet: true });
    // Every request ends once: succeeded, or interrupted and resumed to success (one successful run per request).
    await eventually(
      () => prisma.syncRun.findMany({ where: { environmentId: { in: chosen }, actorName: "restart-test" } }),
      (runs) =>
        chosen.every((id) => runs.some((r) => r.environmentId === id && r.status === "succeeded")) &&
        runs.every((r) => !["queued", "running"].includes(r.status)),
      120_000,
    );
    const runs = await prisma.syncRun.findMany({ where: { environmentId: { in: chosen }, actorName: "restart-test" } });
    for (const id of chosen)
      expect(
        runs.filter((r) => r.environmentId === id && r.status === "succeeded"),
        `successful runs of ${id}`,
      ).toHaveLength(1);
    await assertNoOverlap(chosen);
    // The workers are still alive and working.
    const dead = [...workers.entries()].filter(([, c]) => c.exitCode !== null).map(([n, c]) => `${n} exited ${c.exitCode}: ${logs.get(n)!.slice(-2000)}`);
    expect(dead).toEqual([]);
  }, 200_000);
});

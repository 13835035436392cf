// Reconcile benchmark: one environment of 1,000 plain-YAML objects (700 ConfigMaps + 300
// Deployments, replicas 0) in a generated Git repository served over real smart HTTP, synced
// into a dedicated test bed (real kube-apiserver + etcd + kube-controller-manager) through the
// lib functions the product uses. Prints Tideline's figures next to kubectl's on the same
// manifests, same API server, same run:
//
//   b. sync into an empty namespace      vs  kubectl apply --server-side -f <dir>
//   c. drift check (cold and warm)       vs  kubectl diff --server-side -f <dir>
//   d. latency: commit -> OutOfSync, live edit by someone else -> drift shown (p50/p95)
//
//   npx tsx --conditions=react-server bench/reconcile-drift-sync.ts                                       # full run
//   BENCH_CONFIGMAPS=70 BENCH_DEPLOYMENTS=30 BENCH_TRIALS=5 npx tsx --conditions=react-server bench/reconcile-drift-sync.ts   # smoke run
//
// Optional env: BENCH_CONFIGMAPS (700), BENCH_DEPLOYMENTS (300), BENCH_TRIALS (20 per latency),
// BENCH_WARM_RUNS (5), BENCH_COLD_RUNS (3 child processes), BENCH_DIFF_RUNS (3), BENCH_KEEP=1 to
// keep the temp folder, DATABASE_URL to use an existing Postgres (a fresh database is created in
// it), KUBECTL (default /usr/bin/kubectl).
//
// The same file is also the "cold" child process (BENCH_CHILD=cold-whole|cold-split): a fresh
// process has an empty dry-run cache (module-level in lib/reconcile/drift.ts), an empty watch
// cache and an empty render cache, exactly like a restarted Tideline.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parse as parseYaml, stringify } from "yaml";
import { log, runCleanups, stats, table, timed, writeResults, type Stats } from "./lib/report";

const HERE = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(HERE), "..");
const CONFIGMAPS = Number(process.env.BENCH_CONFIGMAPS ?? 700);
const DEPLOYMENTS = Number(process.env.BENCH_DEPLOYMENTS ?? 300);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 20);
const WARM_RUNS = Number(process.env.BENCH_WARM_RUNS ?? 5);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 3);
const DIFF_RUNS = Number(process.env.BENCH_DIFF_RUNS ?? 3);
const KEEP = process.env.BENCH_KEEP === "1";
const KUBECTL = process.env.KUBECTL ?? "/usr/bin/kubectl";
const NS = "bench-drift";
const KUBECTL_NS = "bench-kubectl";
const FOLDER = "apps/bench";
const CHILD = process.env.BENCH_CHILD;

const ms = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

// ------------------------------------------------------------------ stats and tables (as in cluster-cache.ts)

const fmtMs = (n: number) =>
  !Number.isFinite(n)
    ? "n/a"
    : n >= 10_000
      ? `${(n / 1000).toFixed(1)} s`
      : n >= 1000
        ? `${(n / 1000).toFixed(2)} s`
        : n >= 1
          ? `${ms(n)} ms`
          : `${Math.round(n * 1000)} µs`;
/** How many times faster Tideline is (baseline / Tideline). */
const faster = (tideline: number, baseline: number) =>
  tideline > 0 && Number.isFinite(baseline) ? `${(baseline / tideline).toFixed(baseline / tideline >= 100 ? 0 : 2)}x` : "n/a";

// ------------------------------------------------------------------ processes

function runCommand(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; okCodes?: number[]; keepStdout?: boolean } = {},
): Promise<{ ms: number; code: number; stdout: string; stderr: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: opts.env ?? process.env });
    const out: Buffer[] = [];
    let bytes = 0;
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      bytes += c.length;
      if (opts.keepStdout !== false) out.push(c);
    });
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const elapsed = performance.now() - started;
      const ok = opts.okCodes ?? [0];
      const stdout = Buffer.concat(out).toString("utf8");
      if (!ok.includes(code ?? -1)) reject(new Error(`${cmd} ${args.join(" ")} failed (${code}): ${stderr.slice(0, 2000)}`));
      else resolve({ ms: elapsed, code: code ?? -1, stdout, stderr, bytes });
    });
  });
}

async function topProcesses(): Promise<string[]> {
  try {
    const { stdout } = await runCommand("ps", ["-eo", "pcpu,comm", "--sort=-pcpu", "--no-headers"]);
    return stdout
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(0, 4);
  } catch {
    return [];
  }
}

// ------------------------------------------------------------------ generated objects

function configMap(i: number, extra: Record<string, string> = {}) {
  const name = `cm-${String(i).padStart(4, "0")}`;
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, labels: { "app.kubernetes.io/name": `svc-${i % 10}`, "app.kubernetes.io/part-of": "bench", tier: i % 2 ? "backend" : "frontend" } },
    data: {
      LOG_LEVEL: "info",
      FEATURE_FLAGS: "search,history,live-cache",
      "application.yaml": `server:\n  port: 8080\n  name: ${name}\ndatabase:\n  host: db.svc.cluster.local\n  pool: ${i % 20}\ncache:\n  ttlSeconds: 300\n  entries: ${1000 + i}\n`,
      ...extra,
    },
  };
}

function deployment(i: number) {
  const name = `deploy-${String(i).padStart(4, "0")}`;
  const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "bench" };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels },
    spec: {
      replicas: 0, // keeps the controller-manager and the pod simulator idle
      selector: { matchLabels: { "app.kubernetes.io/name": name } },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: "app",
              image: `registry.example.com/bench/${name}:1.${i}.0`,
              ports: [{ containerPort: 8080, name: "http" }],
              env: [{ name: "NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } }],
              resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
              readinessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10 },
            },
          ],
        },
      },
    },
  };
}

// ------------------------------------------------------------------ API server request counters

/** apiserver_request_total summed by verb (+ "(dry-run)"), from the API server's own /metrics. */
async function apiCounts(kubeconfig: string): Promise<Map<string, number>> {
  const { stdout } = await runCommand(KUBECTL, ["--kubeconfig", kubeconfig, "get", "--raw", "/metrics"]);
  const out = new Map<string, number>();
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("apiserver_request_total{")) continue;
    const m = line.match(/^apiserver_request_total\{(.*)\} (\S+)$/);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    const key = `${labels.verb}${labels.dry_run ? " (dry-run)" : ""}`;
    out.set(key, (out.get(key) ?? 0) + Number(m[2]));
  }
  return out;
}

function countDelta(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of after) {
    const d = v - (before.get(k) ?? 0);
    if (d > 0) out[k] = d;
  }
  return out;
}

const fmtCounts = (c: Record<string, number>) =>
  Object.entries(c)
    .filter(([k]) => !["PUT", "WATCH"].includes(k) || c[k]! > 20) // leader-election PUTs and long watches are background noise
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");

// ------------------------------------------------------------------ cold child process

async function coldChild(mode: string) {
  const envId = process.env.BENCH_ENV_ID!;
  const tImport = performance.now();
  const { db } = await import("../lib/db");
  const { reconcileDeps } = await import("../server/root");
  const { assessEnvironment } = await import("../lib/reconcile/reconcile-environment");
  const { headRevision, desiredState } = await import("../lib/reconcile/desired");
  const { compareEnvironment } = await import("../lib/reconcile/drift");
  const importMs = performance.now() - tImport;
  const prisma = db();
  const deps = reconcileDeps();
  const env = await prisma.environment.findUniqueOrThrow({ where: { id: envId } });
  const out: Record<string, unknown> = { mode, importMs: ms(importMs) };
  const t0 = performance.now();
  if (mode === "cold-whole") {
    const { reports } = await assessEnvironment(deps, env);
    out.totalMs = ms(performance.now() - t0);
    out.objects = reports.length;
    out.synced = reports.filter((r) => r.syncStatus === "Synced").length;
  } else {
    const cacheFor = await timed(() => deps.cacheFor(env.clusterId));
    const cache = cacheFor.value;
    // What the first compareEnvironment call does implicitly: discovery + paginated LIST of each kind.
    const fill = await timed(() => Promise.all([cache.kind("v1", "ConfigMap"), cache.kind("apps/v1", "Deployment")]));
    const revision = await timed(() => headRevision(prisma, env));
    const desired = await timed(() =>
      desiredState({ env, revision: revision.value, mirrorsDir: deps.mirrorsDir, dataDir: deps.dataDir, discovery: cache.discovery }),
    );
    const inventory = await timed(() =>
      prisma.resourceState.findMany({
        where: { environmentId: env.id, inInventory: true },
        distinct: ["apiVersion", "kind"],
        select: { apiVersion: true, kind: true },
      }),
    );
    const compare = await timed(() =>
      compareEnvironment({ cache, desired: desired.value.objects, environmentId: env.id, inventoryKinds: inventory.value, ignoreRules: [] }),
    );
    out.totalMs = ms(performance.now() - t0);
    out.split = {
      cacheForMs: ms(cacheFor.ms),
      watchCacheFillMs: ms(fill.ms),
      headRevisionMs: ms(revision.ms),
      renderAndDiscoveryMs: ms(desired.ms),
      inventoryQueryMs: ms(inventory.ms),
      compareMs: ms(compare.ms),
    };
    out.objects = compare.value.length;
    out.synced = compare.value.filter((r) => r.syncStatus === "Synced").length;
  }
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(out)}\n`);
  await prisma.$disconnect();
  process.exit(0);
}

function runChild(mode: string, envId: string): Promise<{ wallMs: number; result: Record<string, unknown> }> {
  const tsx = path.join(ROOT, "node_modules", ".bin", "tsx");
  return runCommand(tsx, [HERE], { env: { ...process.env, BENCH_CHILD: mode, BENCH_ENV_ID: envId } }).then((r) => {
    const line = r.stdout.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
    if (!line) throw new Error(`cold child printed no result:\n${r.stdout}\n${r.stderr}`);
    return { wallMs: r.ms, result: JSON.parse(line.slice("BENCH_RESULT ".length)) as Record<string, unknown> };
  });
}

// ------------------------------------------------------------------ main

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "tideline-bench-reconcile-"));
  chmodSync(tmp, 0o755); // embedded Postgres runs as the postgres user when we are root
  const cleanups: Array<() => Promise<void> | void> = [];
  const results: Record<string, unknown> = {};
  const loadAtStart = os.loadavg().map(round2);
  const busyAtStart = await topProcesses();
  const total = CONFIGMAPS + DEPLOYMENTS;
  try {
    // ---------------------------------------------------------- 1. Postgres, test bed, git
    const { freshDatabase } = await import("../support/stack");
    const { startGitServer } = await import("../support/git-server");
    const { commitFile, runGit } = await import("../support/demo-repo");
    const { startTestbed } = await import("../scripts/testbed.mjs");

    log(process.env.DATABASE_URL ? "Using DATABASE_URL (fresh database)" : "Starting embedded PostgreSQL");
    const fresh = await freshDatabase({ dataDir: tmp, prefix: "tideline_bench" });
    cleanups.push(() => fresh.stop());
    const url = fresh.url;
    Object.assign(process.env, {
      DATABASE_URL: url,
      TIDELINE_SECRET_KEY: randomBytes(32).toString("base64"),
      TIDELINE_DATA_DIR: path.join(tmp, "data"),
      TIDELINE_FETCH_INTERVAL_SECONDS: "0",
      TIDELINE_RECONCILE_INTERVAL_SECONDS: "0",
    });

    const bedDir = path.join(tmp, "testbed");
    mkdirSync(bedDir);
    chmodSync(bedDir, 0o755);
    log(`Starting a dedicated test bed in ${bedDir}`);
    const bedStart = await timed(() => startTestbed({ dir: bedDir, quiet: true }));
    const tb = bedStart.value;
    cleanups.push(() => tb.stop());
    const kubeconfigPath: string = tb.kubeconfigPath;
    const kubeconfig = readFileSync(kubeconfigPath, "utf8");
    log(`Test bed ready in ${fmtMs(bedStart.ms)} (${tb.server})`);

    // Lib modules only now: they read the environment on first use.
    const { db } = await import("../lib/db");
    const { fetchDeps, sealDeps, clusterDeps, reconcileDeps } = await import("../server/root");
    const { addRepository } = await import("../lib/repositories/add-repository");
    const { fetchRepository } = await import("../lib/repositories/fetch-repository");
    const { registerCluster } = await import("../lib/clusters/manage-clusters");
    const { createApplication, createEnvironment } = await import("../lib/environments/manage-environments");
    const { assessEnvironment, reconcileEnvironment } = await import("../lib/reconcile/reconcile-environment");
    const { syncEnvironment } = await import("../lib/reconcile/sync");
    const { headRevision, desiredState, INVENTORY_LABEL } = await import("../lib/reconcile/desired");
    const { compareEnvironment } = await import("../lib/reconcile/drift");
    const { startWorker, stopWorker } = await import("../server/worker");
    const { kubeRequest } = await import("../lib/kube/transport");
    const prisma = db();
    cleanups.push(() => prisma.$disconnect());
    const deps = reconcileDeps();

    // Repository: one folder with 1,000 objects, one file each.
    log(`Generating a repository with ${CONFIGMAPS} ConfigMaps + ${DEPLOYMENTS} Deployments in ${FOLDER}/`);
    const src = path.join(tmp, "src");
    mkdirSync(path.join(src, FOLDER), { recursive: true });
    for (let i = 0; i < CONFIGMAPS; i++) writeFileSync(path.join(src, FOLDER, `cm-${String(i).padStart(4, "0")}.yaml`), stringify(configMap(i)));
    for (let i = 0; i < DEPLOYMENTS; i++) writeFileSync(path.join(src, FOLDER, `deploy-${String(i).padStart(4, "0")}.yaml`), stringify(deployment(i)));
    writeFileSync(path.join(src, "README.md"), "# bench\n");
    const gitAuthor = {
      GIT_AUTHOR_NAME: "Bench",
      GIT_AUTHOR_EMAIL: "bench@example.com",
      GIT_COMMITTER_NAME: "Bench",
      GIT_COMMITTER_EMAIL: "bench@example.com",
    };
    await runGit(["init", "-q", "-b", "main", src]);
    await runGit(["-C", src, "add", "-A"]);
    await runGit(["-C", src, "commit", "-q", "-m", "1,000 objects"], { env: gitAuthor });
    const gitRoot = path.join(tmp, "git");
    mkdirSync(gitRoot);
    const bare = path.join(gitRoot, "bench-drift.git");
    await runGit(["clone", "-q", "--bare", src, bare]);
    const server = await startGitServer({ root: gitRoot });
    cleanups.push(() => server.stop());

    const repo = await addRepository(sealDeps(), { name: "bench-drift", url: `${server.url}/bench-drift.git` }, null);
    const firstFetch = await timed(() => fetchRepository(fetchDeps(), repo.id));
    const { cluster } = await registerCluster(clusterDeps(), {
      source: "kubeconfig",
      name: "testbed",
      kubeconfig,
      context: parseYaml(kubeconfig)["current-context"],
    });
    if (cluster.status !== "connected") log(`cluster status: ${cluster.status} (${cluster.lastError})`);
    const app = await createApplication(prisma, { name: "bench" });
    const envRow = await createEnvironment(prisma, deps.mirrorsDir, app.id, {
      name: "drift",
      repositoryId: repo.id,
      branch: "main",
      path: FOLDER,
      clusterId: cluster.id,
      namespace: NS,
      renderer: "plain",
      helmValuesFiles: [],
    });
    const envId = envRow.id;
    log(`Repository fetched in ${fmtMs(firstFetch.ms)}; environment ${envId} -> namespace ${NS}`);

    const kubectlCache = path.join(tmp, "kubectl-cache");
    const kubectl = (args: string[], okCodes?: number[]) =>
      runCommand(KUBECTL, ["--kubeconfig", kubeconfigPath, "--cache-dir", kubectlCache, ...args], { okCodes });
    await kubectl(["api-resources", "-o", "name"]); // warm kubectl's discovery cache: its runs below start with it, as Tideline's do
    const kubectlVersion = JSON.parse((await kubectl(["version", "-o", "json"])).stdout).clientVersion?.gitVersion ?? "?";
    const kubectlStart = stats(await Promise.all([0, 1, 2].map(async () => (await kubectl(["version", "--client", "-o", "json"])).ms)), ms);
    const client = (await deps.cacheFor(cluster.id)).client;
    const serverVersion = (await kubeRequest<{ gitVersion: string }>(client, "GET", "/version")).gitVersion;

    /** Waits until the deployment controller has written status for every Deployment of a namespace, then until nothing moves. */
    const settle = async (namespace: string) => {
      const deadline = Date.now() + 180_000;
      let fingerprint = "";
      while (Date.now() < deadline) {
        const list = await kubeRequest<{
          items: Array<{ metadata: { generation?: number; resourceVersion: string }; status?: { observedGeneration?: number } }>;
        }>(client, "GET", `/apis/apps/v1/namespaces/${namespace}/deployments`, { timeoutMs: 60_000 });
        const observed = list.items.filter((d) => (d.status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 1)).length;
        const fp = list.items.map((d) => d.metadata.resourceVersion).join(",");
        if (observed === list.items.length && fp === fingerprint) return;
        fingerprint = observed === list.items.length ? fp : "";
        await sleep(1500);
      }
      log(`${namespace}: Deployments did not settle within 180 s`);
    };

    const loadEnv = () => prisma.environment.findUniqueOrThrow({ where: { id: envId } });
    const syncNow = async (healthTimeoutMs?: number) => {
      const env = await loadEnv();
      const { desired, reports, cache } = await assessEnvironment(deps, env);
      return syncEnvironment({
        prisma,
        cache,
        environmentId: env.id,
        revision: desired.revision,
        desired: desired.objects,
        reports,
        trigger: "manual",
        actorName: "bench",
        prune: env.prune,
        allowEmpty: env.allowEmpty,
        namespace: env.namespace,
        healthTimeoutMs,
      });
    };
    /** Reconciles until the environment is Synced (the watch cache may trail a just-finished apply). */
    const reconcileUntilSynced = async (timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const out = await reconcileEnvironment(deps, envId);
        if (out.ran && out.syncStatus === "Synced") return true;
        await sleep(100);
      }
      return false;
    };

    // ---------------------------------------------------------- 2. sync of 1,000 objects into an empty namespace
    log(`Sync: first assessment (everything Missing) then syncEnvironment of ${total} objects into empty namespace ${NS}`);
    const c0 = await apiCounts(kubeconfigPath);
    const firstAssess = await timed(async () => assessEnvironment(deps, await loadEnv()));
    const c1 = await apiCounts(kubeconfigPath);
    const missing = firstAssess.value.reports.filter((r) => r.syncStatus === "Missing").length;
    const desiredObjects = firstAssess.value.desired.objects;
    const syncStartWall = Date.now();
    const sync = await timed(() =>
      syncEnvironment({
        prisma,
        cache: firstAssess.value.cache,
        environmentId: envId,
        revision: firstAssess.value.desired.revision,
        desired: desiredObjects,
        reports: firstAssess.value.reports,
        trigger: "manual",
        actorName: "bench",
        prune: false,
        allowEmpty: false,
        namespace: NS,
        healthTimeoutMs: 120_000,
      }),
    );
    const c2 = await apiCounts(kubeconfigPath);
    const run = await prisma.syncRun.findUniqueOrThrow({ where: { id: sync.value.runId } });
    const runResults = run.results as Array<{ action: string; at: string; kind: string }>;
    const applied = runResults.filter((r) => r.action === "applied");
    const lastApplied = Math.max(...applied.map((r) => Date.parse(r.at)));
    const applyMs = lastApplied - syncStartWall;
    log(`Tideline sync: ${sync.value.status}, ${applied.length} applied; apply phase ${fmtMs(applyMs)}, to healthy ${fmtMs(sync.ms)}`);

    // Baseline: the same rendered manifests, namespace rewritten, applied by kubectl into another empty namespace.
    const manifestsEnv = path.join(tmp, "manifests-env");
    const manifestsKubectl = path.join(tmp, "manifests-kubectl");
    mkdirSync(manifestsEnv);
    mkdirSync(manifestsKubectl);
    writeFileSync(path.join(manifestsKubectl, "0000-namespace.yaml"), stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: KUBECTL_NS } }));
    desiredObjects.forEach((d, i) => {
      const file = `${String(i + 1).padStart(4, "0")}-${d.manifest.kind.toLowerCase()}-${d.manifest.metadata.name}.yaml`;
      writeFileSync(path.join(manifestsEnv, file), stringify(d.manifest));
      const copy = structuredClone(d.manifest);
      copy.metadata.namespace = KUBECTL_NS;
      copy.metadata.labels = { ...copy.metadata.labels, [INVENTORY_LABEL]: "kubectl-baseline" }; // not part of the environment's inventory
      writeFileSync(path.join(manifestsKubectl, file), stringify(copy));
    });
    await settle(NS); // kubectl starts on a quiet cluster, as Tideline did
    log(`Baseline: kubectl apply --server-side --field-manager=bench -f <dir> (${total} objects + the namespace) into ${KUBECTL_NS}`);
    const c3 = await apiCounts(kubeconfigPath);
    const kApply = await kubectl(["apply", "--server-side", "--field-manager=bench", "-f", manifestsKubectl]);
    const c4 = await apiCounts(kubeconfigPath);
    const kApplied = kApply.stdout.split("\n").filter((l) => /serverside-applied|created|configured/.test(l)).length;
    results.sync = {
      objects: total,
      tideline: {
        firstAssessMs: ms(firstAssess.ms),
        missingBefore: missing,
        applyMs: ms(applyMs),
        toHealthyMs: ms(sync.ms),
        status: sync.value.status,
        applied: applied.length,
        requestsAssess: countDelta(c0, c1),
        requestsSync: countDelta(c1, c2),
      },
      kubectl: { applyMs: ms(kApply.ms), applied: kApplied, requests: countDelta(c3, c4) },
    };

    // ---------------------------------------------------------- 3. drift check
    await settle(NS);
    await settle(KUBECTL_NS);
    log("Drift: first check after the sync in this process (watch cache + render warm, dry-run cache misses: resourceVersions moved)");
    const c5 = await apiCounts(kubeconfigPath);
    const afterSyncCheck = await timed(async () => assessEnvironment(deps, await loadEnv()));
    const c6 = await apiCounts(kubeconfigPath);
    const syncedAfter = afterSyncCheck.value.reports.filter((r) => r.syncStatus === "Synced").length;
    if (syncedAfter !== total) {
      const sample = afterSyncCheck.value.reports.find((r) => r.syncStatus !== "Synced");
      log(`WARNING: ${total - syncedAfter} objects not Synced after the sync; e.g. ${JSON.stringify(sample).slice(0, 600)}`);
    }
    await reconcileUntilSynced();

    log(`Drift: cold check in ${COLD_RUNS} fresh child processes (empty dry-run, watch and render caches) + 1 split by phase`);
    const cold: Array<{ wallMs: number; result: Record<string, unknown>; requests: Record<string, number> }> = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      const before = await apiCounts(kubeconfigPath);
      const r = await runChild("cold-whole", envId);
      cold.push({ ...r, requests: countDelta(before, await apiCounts(kubeconfigPath)) });
    }
    const splitBefore = await apiCounts(kubeconfigPath);
    const split = await runChild("cold-split", envId);
    const splitRequests = countDelta(splitBefore, await apiCounts(kubeconfigPath));
    const coldStats = stats(
      cold.map((c) => c.result.totalMs as number),
      ms,
    );

    log(`Drift: warm check (nothing changed), ${WARM_RUNS} runs after 1 warm-up`);
    await assessEnvironment(deps, await loadEnv());
    const c7 = await apiCounts(kubeconfigPath);
    const warm: number[] = [];
    let warmSynced = 0;
    for (let i = 0; i < WARM_RUNS; i++) {
      const env = await loadEnv();
      const t = await timed(() => assessEnvironment(deps, env));
      warm.push(t.ms);
      warmSynced = t.value.reports.filter((r) => r.syncStatus === "Synced").length;
    }
    const c8 = await apiCounts(kubeconfigPath);
    const warmStats = stats(warm, ms);
    // Where a warm check spends its time, phase by phase (same calls as assessEnvironment).
    const phase = {
      cacheFor: [] as number[],
      headRevision: [] as number[],
      render: [] as number[],
      inventory: [] as number[],
      compare: [] as number[],
      store: [] as number[],
      reconcile: [] as number[],
    };
    for (let i = 0; i < WARM_RUNS; i++) {
      const env = await loadEnv();
      const cache = await timed(() => deps.cacheFor(env.clusterId));
      const rev = await timed(() => headRevision(prisma, env));
      const desired = await timed(() =>
        desiredState({ env, revision: rev.value, mirrorsDir: deps.mirrorsDir, dataDir: deps.dataDir, discovery: cache.value.discovery }),
      );
      const inv = await timed(() =>
        prisma.resourceState.findMany({
          where: { environmentId: env.id, inInventory: true },
          distinct: ["apiVersion", "kind"],
          select: { apiVersion: true, kind: true },
        }),
      );
      const cmp = await timed(() =>
        compareEnvironment({ cache: cache.value, desired: desired.value.objects, environmentId: env.id, inventoryKinds: inv.value, ignoreRules: [] }),
      );
      phase.cacheFor.push(cache.ms);
      phase.headRevision.push(rev.ms);
      phase.render.push(desired.ms);
      phase.inventory.push(inv.ms);
      phase.compare.push(cmp.ms);
      // What the product does on every interval: reconcileEnvironment = lease + assess + storeReports (1,000 rows rewritten).
      phase.reconcile.push((await timed(() => reconcileEnvironment(deps, envId))).ms);
    }

    log(`Baseline: kubectl diff --server-side -f <dir> against ${NS}, ${DIFF_RUNS} runs`);
    const diffRuns: number[] = [];
    let diffCode = -1;
    let diffRequests: Record<string, number> = {};
    let diffBytes = 0;
    for (let i = 0; i < DIFF_RUNS; i++) {
      const before = await apiCounts(kubeconfigPath);
      // Same field manager as Tideline's dry-runs, so an unchanged environment diffs empty.
      const d = await kubectl(["diff", "--server-side", "--field-manager=tideline", "--force-conflicts", "-f", manifestsEnv], [0, 1]);
      diffRequests = countDelta(before, await apiCounts(kubeconfigPath));
      diffRuns.push(d.ms);
      diffCode = d.code;
      diffBytes = d.bytes;
    }
    const diffStats = stats(diffRuns, ms);
    results.drift = {
      afterSyncFirstCheck: { ms: ms(afterSyncCheck.ms), synced: syncedAfter, requests: countDelta(c5, c6) },
      cold: { stats: coldStats, runs: cold },
      coldSplit: { ...split, requests: splitRequests },
      warm: { stats: warmStats, synced: warmSynced, requests: countDelta(c7, c8) },
      warmPhases: Object.fromEntries(
        Object.entries(phase)
          .filter(([, v]) => v.length)
          .map(([k, v]) => [k, stats(v, ms)]),
      ),
      kubectlDiff: { stats: diffStats, lastExitCode: diffCode, outputBytes: diffBytes, requests: diffRequests },
    };

    // ---------------------------------------------------------- 4a. latency: commit pushed -> OutOfSync
    log(`Latency (i): commit to one ConfigMap -> fetchRepository + reconcileEnvironment -> Environment.syncStatus OutOfSync; ${TRIALS} trials`);
    const pollUntil = async (check: () => Promise<boolean>, timeoutMs: number): Promise<number | null> => {
      const deadline = performance.now() + timeoutMs;
      while (performance.now() < deadline) {
        if (await check()) return performance.now();
        await sleep(20);
      }
      return null;
    };
    const commitLat: number[] = [];
    const commitParts = { commit: [] as number[], fetch: [] as number[], reconcile: [] as number[] };
    let commitMissed = 0;
    for (let t = 0; t < TRIALS; t++) {
      const tc = performance.now();
      await commitFile(bare, {
        branch: "main",
        path: `${FOLDER}/cm-0000.yaml`,
        content: stringify(configMap(0, { TRIAL: `commit-${t}` })),
        message: `trial ${t}`,
      });
      const t0 = performance.now();
      commitParts.commit.push(t0 - tc);
      let stop = false;
      const seen = pollUntil(
        async () => stop || (await prisma.environment.findUniqueOrThrow({ where: { id: envId }, select: { syncStatus: true } })).syncStatus === "OutOfSync",
        60_000,
      );
      const f = await timed(() => fetchRepository(fetchDeps(), repo.id));
      const r = await timed(() => reconcileEnvironment(deps, envId));
      const at = await Promise.race([seen, sleep(5_000).then(() => null)]);
      stop = true;
      commitParts.fetch.push(f.ms);
      commitParts.reconcile.push(r.ms);
      if (at === null) commitMissed++;
      else commitLat.push(at - t0);
      // Back to Synced for the next trial: apply the commit, then reconcile until the verdict says so.
      await syncNow(30_000);
      if (!(await reconcileUntilSynced())) log(`trial ${t}: environment did not return to Synced`);
    }

    // ---------------------------------------------------------- 4b. latency: live edit -> drift shown
    log(
      `Latency (ii): live PATCH of a ConfigMap by another field manager -> the cluster's watch owner job (watch + debounce) -> environment.work job -> ResourceState OutOfSync; ${TRIALS} trials`,
    );
    await startWorker(); // owns the cluster's watch from now on
    cleanups.push(() => stopWorker());
    const target = { name: "cm-0001", path: `/api/v1/namespaces/${NS}/configmaps/cm-0001` };
    const rowStatus = async () =>
      (
        await prisma.resourceState.findUnique({
          where: {
            environmentId_apiVersion_kind_namespace_name: { environmentId: envId, apiVersion: "v1", kind: "ConfigMap", namespace: NS, name: target.name },
          },
          select: { syncStatus: true },
        })
      )?.syncStatus;
    const editLat: number[] = [];
    const revertLat: number[] = [];
    let editMissed = 0;
    for (let t = 0; t < TRIALS; t++) {
      if ((await pollUntil(async () => (await rowStatus()) === "Synced", 30_000)) === null) log(`trial ${t}: ${target.name} not Synced before the edit`);
      await sleep(300); // let the previous reconcile (debounced) finish
      const t0 = performance.now();
      await kubeRequest(client, "PATCH", target.path, {
        query: { fieldManager: "bench-editor" },
        contentType: "application/merge-patch+json",
        body: { data: { LOG_LEVEL: `debug-${t}` } },
      });
      const at = await pollUntil(async () => (await rowStatus()) === "OutOfSync", 30_000);
      if (at === null) editMissed++;
      else editLat.push(at - t0);
      const t1 = performance.now();
      await kubeRequest(client, "PATCH", target.path, {
        query: { fieldManager: "bench-editor" },
        contentType: "application/merge-patch+json",
        body: { data: { LOG_LEVEL: "info" } },
      });
      const back = await pollUntil(async () => (await rowStatus()) === "Synced", 30_000);
      if (back !== null) revertLat.push(back - t1);
    }
    await stopWorker();
    results.latency = {
      commitToOutOfSync: {
        stats: stats(commitLat, ms),
        missed: commitMissed,
        parts: Object.fromEntries(Object.entries(commitParts).map(([k, v]) => [k, stats(v, ms)])),
      },
      liveEditToDrift: { stats: stats(editLat, ms), missed: editMissed, revertToSynced: stats(revertLat, ms) },
    };

    // ---------------------------------------------------------- 5. report
    const cpus = os.cpus();
    const machine = {
      cpu: cpus[0]?.model ?? "unknown",
      cpus: cpus.length,
      memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      kubectl: kubectlVersion,
      server: serverVersion,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: os.loadavg().map(round2),
      busiestProcessesAtStart: busyAtStart,
    };
    results.machine = machine;

    const s = results.sync as {
      tideline: { requestsAssess: Record<string, number>; requestsSync: Record<string, number> };
      kubectl: { requests: Record<string, number> };
    };
    const d = results.drift as { afterSyncFirstCheck: { requests: Record<string, number> }; warm: { requests: Record<string, number> } };
    const sp = split.result as { totalMs: number; split: Record<string, number>; importMs: number };
    const wp = (results.drift as { warmPhases: Record<string, Stats> }).warmPhases;
    const out: string[] = [];
    out.push(
      "",
      `Tideline reconcile benchmark: ${total} objects (${CONFIGMAPS} ConfigMaps + ${DEPLOYMENTS} Deployments, replicas 0), plain YAML, one environment`,
    );
    out.push(
      `Machine: ${machine.cpu} x${machine.cpus}, ${machine.memoryGiB} GiB RAM, ${machine.os}, Node ${machine.node}, kubectl ${machine.kubectl}, server ${machine.server}`,
    );
    out.push(
      `Load average (1/5/15 min) at start: ${machine.loadAverageAtStart.join(" / ")}, at end: ${machine.loadAverageAtEnd.join(" / ")} (with ${machine.cpus} CPUs; other work on the machine skews every figure)`,
    );
    out.push(`Busiest processes at start (%CPU command): ${busyAtStart.join("; ") || "n/a"}`);
    out.push(
      `Test bed ready in ${fmtMs(bedStart.ms)}; repository (1 commit, ${total} files) fetched + indexed in ${fmtMs(firstFetch.ms)}; kubectl process start alone ${fmtMs(kubectlStart.median)} (kubectl version --client, median of 3)`,
    );
    out.push("");
    out.push(`Sync into an empty namespace (target: Tideline not slower than kubectl)`);
    out.push(
      table(
        ["Measure", "Tideline", "kubectl", "Tideline faster by"],
        [
          ["apply phase (ensure namespace + apply every object)", fmtMs(applyMs), fmtMs(kApply.ms), faster(applyMs, kApply.ms)],
          ["sync to healthy (syncEnvironment, incl. health wait)", fmtMs(sync.ms), "(no wait)", faster(sync.ms, kApply.ms)],
          ["assessment before the sync (preview, all Missing)", fmtMs(firstAssess.ms), "", ""],
          ['assessment + sync (what "Sync now" costs)', fmtMs(firstAssess.ms + sync.ms), fmtMs(kApply.ms), faster(firstAssess.ms + sync.ms, kApply.ms)],
        ],
      ),
    );
    out.push(
      `  Tideline: ${sync.value.status}, ${applied.length} applied (${missing} Missing before). kubectl: ${kApplied} lines reported applied. Baseline: kubectl apply --server-side --field-manager=bench -f <${total + 1} files> into ${KUBECTL_NS}`,
    );
    out.push(
      `  API requests (apiserver_request_total deltas): Tideline assessment: ${fmtCounts(s.tideline.requestsAssess)}; Tideline sync: ${fmtCounts(s.tideline.requestsSync)}; kubectl apply: ${fmtCounts(s.kubectl.requests)}`,
    );
    out.push("");
    out.push(`Drift check of the ${total}-object environment (targets: warm >= 20x faster than kubectl diff, cold >= 2x faster)`);
    out.push(
      table(
        ["Measure", "Tideline", "kubectl diff", "Tideline faster by", "Target"],
        [
          [
            `warm: assessEnvironment, nothing changed (median of ${WARM_RUNS})`,
            fmtMs(warmStats.median),
            fmtMs(diffStats.median),
            faster(warmStats.median, diffStats.median),
            diffStats.median / warmStats.median >= 20 ? "met" : "MISSED",
          ],
          [
            `cold: fresh process, first assessEnvironment (median of ${COLD_RUNS})`,
            fmtMs(coldStats.median),
            fmtMs(diffStats.median),
            faster(coldStats.median, diffStats.median),
            diffStats.median / coldStats.median >= 2 ? "met" : "MISSED",
          ],
          ["  cold: min / max", `${fmtMs(coldStats.min)} / ${fmtMs(coldStats.max)}`, `${fmtMs(diffStats.min)} / ${fmtMs(diffStats.max)}`, "", ""],
          [
            "first check after the sync (dry-run cache stale, watch cache warm)",
            fmtMs(afterSyncCheck.ms),
            fmtMs(diffStats.median),
            faster(afterSyncCheck.ms, diffStats.median),
            "",
          ],
          [`warm reconcileEnvironment (assess + store ${total} rows; per interval)`, fmtMs(wp!.reconcile!.median), "", "", ""],
        ],
      ),
    );
    out.push(
      `  Verdicts: warm ${warmSynced}/${total} Synced; cold ${cold.map((c) => `${c.result.synced}/${c.result.objects}`).join(", ")} Synced; kubectl diff exit code ${diffCode} (${diffBytes} bytes of diff output)`,
    );
    out.push(
      `  API requests: cold check (per child): ${fmtCounts(cold[0]?.requests ?? {})}; warm checks (${WARM_RUNS} together): ${fmtCounts(d.warm.requests) || "none"}; first check after sync: ${fmtCounts(d.afterSyncFirstCheck.requests)}; kubectl diff (one run): ${fmtCounts(diffRequests)}`,
    );
    out.push(
      `  Cold check split by phase (one more child): total ${fmtMs(sp.totalMs)} = cacheFor ${fmtMs(sp.split.cacheForMs!)} + watch-cache fill (discovery + LIST ConfigMaps, Deployments) ${fmtMs(sp.split.watchCacheFillMs!)} + ` +
        `headRevision ${fmtMs(sp.split.headRevisionMs!)} + render + discovery ${fmtMs(sp.split.renderAndDiscoveryMs!)} + inventory query ${fmtMs(sp.split.inventoryQueryMs!)} + compare (dry-run PATCHes, 16 in flight) ${fmtMs(sp.split.compareMs!)}; ` +
        `child's module import (not counted) ${fmtMs(sp.importMs)}, child wall time ${fmtMs(split.wallMs)}`,
    );
    out.push(
      `  Warm check split by phase (median of ${WARM_RUNS}): cacheFor ${fmtMs(wp!.cacheFor!.median)}, headRevision ${fmtMs(wp!.headRevision!.median)}, render (cache hit) + discovery ${fmtMs(wp!.render!.median)}, ` +
        `inventory query ${fmtMs(wp!.inventory!.median)}, compare (watch-cache reads, hashing, normalize, dry-run cache hits) ${fmtMs(wp!.compare!.median)}`,
    );
    out.push("");
    const lat = results.latency as { commitToOutOfSync: { parts: Record<string, Stats> }; liveEditToDrift: { revertToSynced: Stats } };
    const cs = stats(commitLat, ms);
    const es = stats(editLat, ms);
    out.push(`Latency (${TRIALS} trials each; target p50 < 2 s)`);
    out.push(
      table(
        ["Path", "p50", "p95", "max", "missed", "Target"],
        [
          [
            "(i) commit pushed -> Environment OutOfSync in Postgres",
            fmtMs(cs.p50),
            fmtMs(cs.p95),
            fmtMs(cs.max),
            commitMissed,
            cs.p50 < 2000 ? "met" : "MISSED",
          ],
          [
            "      fetchRepository (isomorphic-git fetch + index)",
            fmtMs(lat.commitToOutOfSync.parts.fetch!.p50),
            fmtMs(lat.commitToOutOfSync.parts.fetch!.p95),
            fmtMs(lat.commitToOutOfSync.parts.fetch!.max),
            "",
            "",
          ],
          [
            "      reconcileEnvironment (render new commit, 1 dry-run, store)",
            fmtMs(lat.commitToOutOfSync.parts.reconcile!.p50),
            fmtMs(lat.commitToOutOfSync.parts.reconcile!.p95),
            fmtMs(lat.commitToOutOfSync.parts.reconcile!.max),
            "",
            "",
          ],
          [
            "(ii) live edit (PATCH by bench-editor) -> ResourceState OutOfSync",
            fmtMs(es.p50),
            fmtMs(es.p95),
            fmtMs(es.max),
            editMissed,
            es.p50 < 2000 ? "met" : "MISSED",
          ],
          [
            "      revert -> ResourceState Synced",
            fmtMs(lat.liveEditToDrift.revertToSynced.p50),
            fmtMs(lat.liveEditToDrift.revertToSynced.p95),
            fmtMs(lat.liveEditToDrift.revertToSynced.max),
            "",
            "",
          ],
        ],
      ),
    );
    out.push(
      `  (i) starts when the commit is in the served repository (commitFile took ${fmtMs(stats(commitParts.commit, ms).p50)} p50) and excludes the fetch interval/webhook delay; (ii) goes through the job engine (watch owner job, ${250} ms debounce, environment.work job, reconcile, store).`,
    );

    const text = out.join("\n");
    console.log(text);
    writeResults(ROOT, "reconcile-drift-sync", { config: { CONFIGMAPS, DEPLOYMENTS, TRIALS, WARM_RUNS, COLD_RUNS, DIFF_RUNS }, ...results });
  } finally {
    await runCleanups(cleanups, tmp, KEEP);
  }
}

if (CHILD) await coldChild(CHILD);
else await main();
// Watches and undici keep-alive sockets would otherwise hold the process open.
process.exit(0);

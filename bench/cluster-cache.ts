// Cluster cache benchmark: starts a dedicated test bed (real kube-apiserver + etcd +
// kube-controller-manager), creates 5,000 objects (ConfigMaps and Deployments across 50
// namespaces), then measures Tideline's watch-backed ClusterCache (lib/kube): fill time,
// steady memory and watch latency. The baseline is kubectl against the same API server, in the
// same run, on the same machine: `kubectl get configmaps,deployments -A -o json` for the fill,
// and `kubectl get configmaps --watch-only` for watch latency.
//
//   npx tsx --conditions=react-server bench/cluster-cache.ts                      # full run (about 3-6 minutes)
//   BENCH_NAMESPACES=10 npx tsx --conditions=react-server bench/cluster-cache.ts  # quick run (1,000 objects)
//
// Optional env: BENCH_NAMESPACES (50), BENCH_CONFIGMAPS_PER_NS (80), BENCH_DEPLOYMENTS_PER_NS
// (20), BENCH_PARALLEL (16 creates in flight), BENCH_FILL_RUNS (5), BENCH_WATCH_OBJECTS (200),
// BENCH_EXPERIMENTS=0 to skip the connection-reuse experiment, BENCH_KEEP=1 to keep the test-bed
// folder, BENCH_REBUILD=1 to also time a forced cold build of the test bed (20+ minutes).
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, createWriteStream } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import v8 from "node:v8";
import vm from "node:vm";
import { RequestContext, HttpMethod } from "@kubernetes/client-node";
import { fetch, type Dispatcher } from "undici";
import { ROOT, TESTBED_BIN, buildTestbed, startTestbed, type Testbed } from "../scripts/testbed.mjs";
import { ClusterCache } from "../lib/kube/cluster-cache";
import { KindCache } from "../lib/kube/kind-cache";
import { clientFromKubeconfig, kubeRequest, type KubeClient } from "../lib/kube/transport";
import type { KubeObject } from "../lib/kube/watch-stream";
import { log, runCleanups, stats, table, timed, writeResults, type Stats } from "./lib/report";

const NAMESPACES = Number(process.env.BENCH_NAMESPACES ?? 50);
const CM_PER_NS = Number(process.env.BENCH_CONFIGMAPS_PER_NS ?? 80);
const DEP_PER_NS = Number(process.env.BENCH_DEPLOYMENTS_PER_NS ?? 20);
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 16);
const FILL_RUNS = Number(process.env.BENCH_FILL_RUNS ?? 5);
const WATCH_OBJECTS = Number(process.env.BENCH_WATCH_OBJECTS ?? 200);
const EXPERIMENTS = process.env.BENCH_EXPERIMENTS !== "0";
const KEEP = process.env.BENCH_KEEP === "1";
const REBUILD = process.env.BENCH_REBUILD === "1";
const KUBECTL = process.env.KUBECTL ?? "/usr/bin/kubectl";
const WATCH_NS = "bench-watch";

const ms = (n: number) => Math.round(n * 10) / 10;
// Cache queries take well under 1 ms: summaries keep µs precision.
const usPrecision = (n: number) => Math.round(n * 1000) / 1000;
const mib = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;

// ------------------------------------------------------------------ stats

// ------------------------------------------------------------------ table printing (as in history.ts)

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
const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a) ? (a / b >= 100 ? `${Math.round(a / b)}x` : `${(a / b).toFixed(2)}x`) : "n/a");

// ------------------------------------------------------------------ helpers

/** A forced, full GC (--expose-gc via NODE_OPTIONS, or switched on at run time). */
function getGc(): (() => void) | null {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === "function") return g;
  try {
    v8.setFlagsFromString("--expose-gc");
    return vm.runInNewContext("gc") as () => void;
  } catch {
    return null;
  }
}

async function settleHeap(gc: (() => void) | null) {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 50));
  }
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss, external: m.external, arrayBuffers: m.arrayBuffers };
}

/** Runs a command, counts stdout bytes (optionally copying them to a file); returns wall time. */
function timeCommand(cmd: string, args: string[], toFile?: string): Promise<{ ms: number; bytes: number; stdoutHead: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    const file = toFile ? createWriteStream(toFile) : null;
    let bytes = 0;
    let head = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      bytes += c.length;
      if (head.length < 8192) head += c.toString("utf8");
      file?.write(c);
    });
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const elapsed = performance.now() - started;
      const done = () =>
        code !== 0
          ? reject(new Error(`${cmd} ${args.join(" ")} failed (${code}): ${stderr.slice(0, 2000)}`))
          : resolve({ ms: elapsed, bytes, stdoutHead: head });
      if (file) file.end(done);
      else done();
    });
  });
}

/** Runs fn over items with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function createWithRetry(client: KubeClient, apiPath: string, body: unknown): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await kubeRequest(client, "POST", apiPath, { body, timeoutMs: 60_000 });
      return;
    } catch (error) {
      const failure = (error as { failure?: string }).failure;
      if (failure === "conflict") return; // created by an earlier attempt whose response we lost
      if (attempt >= 4) throw error;
      await new Promise((r) => setTimeout(r, 250 * attempt));
    }
  }
}

function configMap(ns: string, i: number) {
  const name = `cm-${String(i).padStart(3, "0")}`;
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name,
      namespace: ns,
      labels: { "app.kubernetes.io/name": `svc-${i % 10}`, "app.kubernetes.io/part-of": "bench", tier: i % 2 ? "backend" : "frontend" },
    },
    data: {
      LOG_LEVEL: "info",
      FEATURE_FLAGS: "search,history,live-cache",
      "application.yaml": `server:\n  port: 8080\n  name: ${ns}-${name}\ndatabase:\n  host: db.${ns}.svc.cluster.local\n  pool: ${i % 20}\ncache:\n  ttlSeconds: 300\n  entries: ${1000 + i}\n`,
    },
  };
}

function deployment(ns: string, i: number) {
  const name = `deploy-${String(i).padStart(3, "0")}`;
  const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "bench" };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns, labels },
    spec: {
      replicas: 0, // keep the controller-manager and the pod simulator idle
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

type ListPage = { items: KubeObject[]; metadata: { continue?: string; resourceVersion: string } };

/** Lists a whole collection with kubeRequest (one fresh connection per page, as lib/kube does). */
async function listAll(client: KubeClient, apiPath: string): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  let cont: string | undefined;
  do {
    const page = await kubeRequest<ListPage>(client, "GET", apiPath, { query: { limit: 500, continue: cont }, timeoutMs: 60_000 });
    out.push(...page.items);
    cont = page.metadata.continue || undefined;
  } while (cont);
  return out;
}

/** Waits until the deployment controller has observed every Deployment (status written). */
async function waitDeploymentsObserved(client: KubeClient, expected: number, timeoutMs: number): Promise<{ observed: number; replicaSets: number }> {
  const deadline = Date.now() + timeoutMs;
  let observed = 0;
  let replicaSets = 0;
  while (Date.now() < deadline) {
    const deps = await listAll(client, "/apis/apps/v1/deployments");
    observed = deps.filter((d) => {
      const status = d.status as { observedGeneration?: number } | undefined;
      return (status?.observedGeneration ?? 0) >= ((d.metadata.generation as number | undefined) ?? 1);
    }).length;
    replicaSets = (await listAll(client, "/apis/apps/v1/replicasets")).length;
    if (observed >= expected && replicaSets >= expected) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  return { observed, replicaSets };
}

/** A client whose TLS connection pool is created once and reused for every request (experiment). */
async function reusedDispatcher(client: KubeClient): Promise<{ headers: Record<string, string>; dispatcher: Dispatcher; close: () => Promise<void> }> {
  const ctx = new RequestContext(client.server, HttpMethod.GET);
  await client.kc.applySecurityAuthentication(ctx);
  const dispatcher = ctx.getDispatcher() as unknown as Dispatcher;
  return { headers: { ...ctx.getHeaders(), Accept: "application/json" }, dispatcher, close: () => dispatcher.close() };
}

async function getReused<T>(
  client: KubeClient,
  r: { headers: Record<string, string>; dispatcher: Dispatcher },
  apiPath: string,
  query: Record<string, string | number | undefined> = {},
): Promise<T> {
  const url = new URL(client.server.replace(/\/$/, "") + apiPath);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
  const res = await fetch(url, { headers: r.headers, dispatcher: r.dispatcher });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${apiPath}: HTTP ${res.status}`);
  return JSON.parse(text) as T;
}

async function listAllReused(client: KubeClient, r: { headers: Record<string, string>; dispatcher: Dispatcher }, apiPath: string): Promise<number> {
  let n = 0;
  let cont: string | undefined;
  do {
    const page = await getReused<ListPage>(client, r, apiPath, { limit: 500, continue: cont });
    n += page.items.length;
    cont = page.metadata.continue || undefined;
  } while (cont);
  return n;
}

function processRss(pid: number): number | null {
  try {
    const m = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

async function topProcesses(): Promise<string[]> {
  try {
    const { stdoutHead } = await timeCommand("ps", ["-eo", "pcpu,comm", "--sort=-pcpu", "--no-headers"]);
    return stdoutHead
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(0, 4);
  } catch {
    return [];
  }
}

// ------------------------------------------------------------------ main

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "tideline-bench-cluster-"));
  chmodSync(tmp, 0o755);
  const cleanups: Array<() => Promise<void> | void> = [];
  const results: Record<string, unknown> = {};
  const loadAtStart = os.loadavg().map(round2);
  const busyAtStart = await topProcesses();
  const gc = getGc();
  // Process RSS at phase boundaries (after a forced GC): native memory that heapUsed does not show.
  const rssAt: Record<string, { rssMiB: number; heapUsedMiB: number; externalMiB: number }> = {};
  const checkpoint = async (name: string) => {
    const m = await settleHeap(gc);
    rssAt[name] = { rssMiB: mib(m.rss), heapUsedMiB: mib(m.heapUsed), externalMiB: mib(m.external) };
  };
  await checkpoint("start");
  try {
    // ---------------------------------------------------------- 1. test bed
    const binSize = existsSync(TESTBED_BIN) ? statSync(TESTBED_BIN).size : 0;
    const binBuilt = existsSync(TESTBED_BIN) ? statSync(TESTBED_BIN).mtime.toISOString() : null;
    const hashFile = path.join(path.dirname(TESTBED_BIN), "testbed.hash");
    const buildHash = existsSync(hashFile) ? readFileSync(hashFile, "utf8").trim() : null;
    let rebuild: { seconds?: number; cached: boolean } | null = null;
    if (REBUILD) {
      log("BENCH_REBUILD=1: timing a forced cold build of the test bed (20+ minutes)");
      const t = await timed(() => buildTestbed({ force: true }));
      rebuild = { seconds: t.value.seconds ?? ms(t.ms / 1000), cached: t.value.cached };
    }
    const bedDir = path.join(tmp, "testbed");
    mkdirSync(bedDir);
    chmodSync(bedDir, 0o755);
    log(`Starting a dedicated test bed in ${bedDir}`);
    const start = await timed(() => startTestbed({ dir: bedDir, quiet: true }));
    const tb: Testbed = start.value;
    cleanups.push(() => tb.stop());
    const kubeconfigPath = tb.kubeconfigPath;
    const client = clientFromKubeconfig("bench", readFileSync(kubeconfigPath, "utf8"));
    const serverVersion = (await kubeRequest<{ gitVersion: string }>(client, "GET", "/version")).gitVersion;
    log(`Test bed ready in ${fmtMs(start.ms)}: ${tb.server} (Kubernetes ${serverVersion}, pid ${tb.pid})`);
    const kubectlVersion = await timeCommand(KUBECTL, ["--kubeconfig", kubeconfigPath, "version", "-o", "json"]).then(
      (r) => {
        const v = JSON.parse(r.stdoutHead) as { clientVersion?: { gitVersion?: string } };
        return v.clientVersion?.gitVersion ?? "unknown";
      },
      (e) => `unavailable (${(e as Error).message.split("\n")[0]})`,
    );
    await checkpoint("test bed ready");
    results.testbed = {
      startMs: ms(start.ms),
      server: tb.server,
      version: serverVersion,
      binaryBytes: binSize,
      binaryBuiltAt: binBuilt,
      buildHash,
      coldBuild: rebuild,
    };

    // ---------------------------------------------------------- 2. create objects
    log(`Creating ${NAMESPACES} namespaces, ${NAMESPACES * CM_PER_NS} ConfigMaps and ${NAMESPACES * DEP_PER_NS} Deployments (${PARALLEL} in flight)`);
    const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `bench-${String(i).padStart(2, "0")}`);
    const nsCreate = await timed(() =>
      pool([...namespaces, WATCH_NS], PARALLEL, (ns) =>
        createWithRetry(client, "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }),
      ),
    );
    const jobs: Array<{ path: string; body: unknown }> = [];
    // Interleave namespaces so parallel creates hit different namespaces, like a real sync.
    for (let i = 0; i < Math.max(CM_PER_NS, DEP_PER_NS); i++) {
      for (const ns of namespaces) {
        if (i < CM_PER_NS) jobs.push({ path: `/api/v1/namespaces/${ns}/configmaps`, body: configMap(ns, i) });
        if (i < DEP_PER_NS) jobs.push({ path: `/apis/apps/v1/namespaces/${ns}/deployments`, body: deployment(ns, i) });
      }
    }
    const createLatencies: number[] = [];
    const objCreate = await timed(() =>
      pool(jobs, PARALLEL, async (j) => {
        const t0 = performance.now();
        await createWithRetry(client, j.path, j.body);
        createLatencies.push(performance.now() - t0);
      }),
    );
    const createStats = stats(createLatencies, usPrecision);
    log(
      `Created ${jobs.length} objects in ${fmtMs(objCreate.ms)} (${Math.round(jobs.length / (objCreate.ms / 1000))}/s; per-POST median ${fmtMs(createStats.median)}, p95 ${fmtMs(createStats.p95)})`,
    );
    log("Waiting for the deployment controller to observe every Deployment (status + ReplicaSet)");
    const settle = await timed(() => waitDeploymentsObserved(client, NAMESPACES * DEP_PER_NS, 240_000));
    log(`Settled in ${fmtMs(settle.ms)}: ${settle.value.observed} Deployments observed, ${settle.value.replicaSets} ReplicaSets`);
    const testbedRss = processRss(tb.pid);
    await checkpoint(`after ${jobs.length} POSTs`);
    results.create = {
      namespaces: NAMESPACES + 1,
      objects: jobs.length,
      parallel: PARALLEL,
      namespacesMs: ms(nsCreate.ms),
      objectsMs: ms(objCreate.ms),
      perSecond: Math.round(jobs.length / (objCreate.ms / 1000)),
      postLatency: createStats,
      settleMs: ms(settle.ms),
      settled: settle.value,
      testbedRssBytes: testbedRss,
    };

    // ---------------------------------------------------------- 3. fill vs kubectl
    const kubectlArgs = ["--kubeconfig", kubeconfigPath, "get", "configmaps,deployments", "-A", "-o", "json"];
    const kubectlFile = path.join(tmp, "kubectl-get.json");
    log("Warm-up: one kubectl get and one cache fill (not counted)");
    const kWarm = await timeCommand(KUBECTL, kubectlArgs, kubectlFile);
    const kubectlItems = (JSON.parse(readFileSync(kubectlFile, "utf8")) as { items: Array<{ kind: string }> }).items;
    const kubectlCounts = {
      ConfigMap: kubectlItems.filter((i) => i.kind === "ConfigMap").length,
      Deployment: kubectlItems.filter((i) => i.kind === "Deployment").length,
    };
    rmSync(kubectlFile, { force: true });

    const fillOnce = async () => {
      const started = performance.now();
      const cache = new ClusterCache(client);
      try {
        const [cm, dep] = await Promise.all([cache.kind("v1", "ConfigMap"), cache.kind("apps/v1", "Deployment")]);
        return { ms: performance.now() - started, configMaps: cm.objects.size, deployments: dep.objects.size };
      } finally {
        cache.stop();
      }
    };
    const cWarm = await fillOnce();
    const kubectlRuns: number[] = [];
    const fillRuns: number[] = [];
    let fillCounts = { configMaps: cWarm.configMaps, deployments: cWarm.deployments };
    let kubectlBytes = kWarm.bytes;
    // Interleaved, so a burst of outside load hits both sides alike.
    for (let i = 0; i < FILL_RUNS; i++) {
      log(`Fill run ${i + 1}/${FILL_RUNS}: kubectl, then ClusterCache`);
      const k = await timeCommand(KUBECTL, kubectlArgs);
      kubectlRuns.push(k.ms);
      kubectlBytes = k.bytes;
      const f = await fillOnce();
      fillRuns.push(f.ms);
      fillCounts = { configMaps: f.configMaps, deployments: f.deployments };
      gc?.();
    }
    // Stopped caches must release their watch connections: count the sockets still open once
    // undici's idle keep-alive sockets (4 s) have closed. Anything left is a watch that outlived stop().
    await new Promise((r) => setTimeout(r, 6000));
    const socketsAfterStop = process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap" || r === "TLSWrap").length;
    log(`Open sockets 6 s after ${FILL_RUNS + 1} stopped caches: ${socketsAfterStop}`);
    await checkpoint("after fill runs");
    const startupRuns: number[] = [];
    for (let i = 0; i < FILL_RUNS; i++) startupRuns.push((await timeCommand(KUBECTL, ["version", "--client", "-o", "json"])).ms);
    const kubectlStartup = stats(startupRuns, usPrecision);
    const fillStats = stats(fillRuns, usPrecision);
    const kubectlStats = stats(kubectlRuns, usPrecision);
    const objectsInCache = fillCounts.configMaps + fillCounts.deployments;
    results.fill = {
      runs: FILL_RUNS,
      cache: fillStats,
      cacheWarmupMs: ms(cWarm.ms),
      cacheObjects: fillCounts,
      socketsOpenAfterStop: socketsAfterStop,
      baseline: {
        command: `kubectl ${kubectlArgs.slice(2).join(" ")}`,
        stats: kubectlStats,
        warmupMs: ms(kWarm.ms),
        bytes: kubectlBytes,
        objects: kubectlCounts,
        kubectlStartup,
      },
      ratio: round2(fillStats.median / kubectlStats.median),
    };

    // ---------------------------------------------------------- 4. steady memory
    log("Memory: heap before and after filling a cache (forced GC)");
    const before = await settleHeap(gc);
    const cache = new ClusterCache(client);
    cleanups.push(() => cache.stop());
    const memFill = await timed(() => Promise.all([cache.kind("v1", "ConfigMap"), cache.kind("apps/v1", "Deployment")]));
    const [cmKind, depKind] = memFill.value;
    const after = await settleHeap(gc);
    const heldObjects = cmKind.objects.size + depKind.objects.size;
    const perObject = (after.heapUsed - before.heapUsed) / heldObjects;
    const wirePerObject = kubectlBytes / (kubectlCounts.ConfigMap + kubectlCounts.Deployment);
    results.memory = {
      gcForced: gc !== null,
      objects: heldObjects,
      before,
      after,
      heapDeltaBytes: after.heapUsed - before.heapUsed,
      rssDeltaBytes: after.rss - before.rss,
      heapBytesPerObject: Math.round(perObject),
      kubectlJsonBytesPerObject: Math.round(wirePerObject),
      fillMs: ms(memFill.ms),
    };

    // ---------------------------------------------------------- 4b. queries on the filled cache
    // What the cache is for: answering list/get without a round trip. Baseline: the same
    // question asked of the API server with kubeRequest (what the app would do without a cache).
    log("Queries on the filled cache vs the same LIST from the API server");
    const qNs = namespaces[Math.min(7, namespaces.length - 1)]!;
    const QUERY_RUNS = 200;
    const querySample = async (fn: () => Promise<unknown>, runs: number) => {
      for (let i = 0; i < Math.min(20, runs); i++) await fn();
      const out: number[] = [];
      for (let i = 0; i < runs; i++) out.push((await timed(fn)).ms);
      return stats(out, usPrecision);
    };
    const queries: Array<{ name: string; items: number; cache: Stats; api: Stats }> = [];
    const qDefs: Array<{
      name: string;
      q: { apiVersion: string; kind: string; namespace?: string; labelSelector?: string };
      apiPath: string;
      query?: Record<string, string>;
    }> = [
      {
        name: `ConfigMaps in one namespace (${qNs})`,
        q: { apiVersion: "v1", kind: "ConfigMap", namespace: qNs },
        apiPath: `/api/v1/namespaces/${qNs}/configmaps`,
      },
      {
        name: "ConfigMaps in one namespace, tier=backend",
        q: { apiVersion: "v1", kind: "ConfigMap", namespace: qNs, labelSelector: "tier=backend" },
        apiPath: `/api/v1/namespaces/${qNs}/configmaps`,
        query: { labelSelector: "tier=backend" },
      },
      {
        name: "ConfigMaps cluster-wide, app.kubernetes.io/name=svc-3",
        q: { apiVersion: "v1", kind: "ConfigMap", labelSelector: "app.kubernetes.io/name=svc-3" },
        apiPath: "/api/v1/configmaps",
        query: { labelSelector: "app.kubernetes.io/name=svc-3" },
      },
      {
        name: `Deployments in one namespace (${qNs})`,
        q: { apiVersion: "apps/v1", kind: "Deployment", namespace: qNs },
        apiPath: `/apis/apps/v1/namespaces/${qNs}/deployments`,
      },
    ];
    for (const d of qDefs) {
      const items = (await cache.list(d.q)).length;
      const c = await querySample(() => cache.list(d.q), QUERY_RUNS);
      const a = await querySample(() => kubeRequest(client, "GET", d.apiPath, { query: d.query }), Math.min(50, QUERY_RUNS));
      queries.push({ name: d.name, items, cache: c, api: a });
    }
    const getStats = await querySample(() => cache.get("v1", "ConfigMap", qNs, "cm-042"), QUERY_RUNS);
    const getApi = await querySample(() => kubeRequest(client, "GET", `/api/v1/namespaces/${qNs}/configmaps/cm-042`), 50);
    queries.push({ name: "get one ConfigMap by name", items: 1, cache: getStats, api: getApi });
    results.queries = { runs: QUERY_RUNS, apiRuns: 50, queries };

    // ---------------------------------------------------------- 4c. lifecycle check: stop() during the initial LIST
    log("Lifecycle check: KindCache.stop() while its first LIST is in flight");
    const cmType = await cache.discovery.resolve("v1", "ConfigMap");
    const probe = new KindCache(client, cmType);
    probe.start();
    await new Promise((r) => setTimeout(r, 5)); // the paginated LIST of ~4,000 ConfigMaps is now in flight
    probe.stop();
    await Promise.race([probe.waitForSync().catch(() => {}), new Promise((r) => setTimeout(r, 30_000))]);
    await new Promise((r) => setTimeout(r, 1000));
    const stopCheck = { stateAfterStop: probe.state, objectsRetained: probe.objects.size, ok: probe.state === "stopped" };
    probe.stop(); // a second stop() does abort the watch the first one missed
    results.stopDuringList = stopCheck;
    log(`stop() during LIST: state 1 s later = ${stopCheck.stateAfterStop} (${stopCheck.objectsRetained} objects held)`);

    // ---------------------------------------------------------- 5. watch latency
    log(`Watch latency: ${WATCH_OBJECTS} ConfigMaps created one by one in ${WATCH_NS}; cache vs kubectl --watch-only`);
    const kubectlSeen = new Map<string, number>();
    const watcher = spawn(KUBECTL, ["--kubeconfig", kubeconfigPath, "get", "configmaps", "-n", WATCH_NS, "--watch-only", "-o", "name"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    cleanups.push(() => {
      if (watcher.exitCode === null) watcher.kill("SIGTERM");
    });
    let wbuf = "";
    watcher.stdout.on("data", (c: Buffer) => {
      const now = performance.now();
      wbuf += c.toString();
      let nl: number;
      while ((nl = wbuf.indexOf("\n")) >= 0) {
        const line = wbuf.slice(0, nl).trim();
        wbuf = wbuf.slice(nl + 1);
        const name = line.replace(/^configmap\//, "");
        if (name && !kubectlSeen.has(name)) kubectlSeen.set(name, now);
      }
    });
    const waiters = new Map<string, (t: number) => void>();
    const cacheSeen = new Map<string, number>();
    const off = cache.onChange((type, obj) => {
      if (type !== "ADDED" || obj.kind !== "ConfigMap" || obj.metadata.namespace !== WATCH_NS) return;
      const now = performance.now();
      cacheSeen.set(obj.metadata.name, now);
      waiters.get(obj.metadata.name)?.(now);
    });
    cleanups.push(() => void off());
    const seenByCache = (name: string, timeoutMs: number) =>
      new Promise<number>((resolve, reject) => {
        const at = cacheSeen.get(name);
        if (at !== undefined) return resolve(at);
        const timer = setTimeout(() => reject(new Error(`${name} did not reach the cache within ${timeoutMs} ms`)), timeoutMs);
        waiters.set(name, (t) => {
          clearTimeout(timer);
          waiters.delete(name);
          resolve(t);
        });
      });
    const until = async (check: () => boolean, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return check();
    };
    // Sentinels until both watchers are established (kubectl lists before it watches).
    let kubectlReady = false;
    for (let i = 0; i < 30 && !kubectlReady; i++) {
      const name = `sentinel-${i}`;
      const p = seenByCache(name, 30_000);
      await createWithRetry(client, `/api/v1/namespaces/${WATCH_NS}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name } });
      await p;
      kubectlReady = await until(() => kubectlSeen.has(name), 1000);
    }
    if (!kubectlReady) log("kubectl --watch-only did not report the sentinels; its column will be empty");
    const cacheLat: number[] = [];
    const cacheAfterResponse: number[] = [];
    const postRtt: number[] = [];
    const starts = new Map<string, number>();
    let beforeResponse = 0;
    for (let i = 0; i < WATCH_OBJECTS; i++) {
      const name = `watch-${String(i).padStart(4, "0")}`;
      const seen = seenByCache(name, 30_000);
      const t0 = performance.now();
      starts.set(name, t0);
      await kubeRequest(client, "POST", `/api/v1/namespaces/${WATCH_NS}/configmaps`, {
        body: { ...configMap(WATCH_NS, i), metadata: { name, namespace: WATCH_NS, labels: { bench: "watch" } } },
      });
      const t1 = performance.now();
      const tSeen = await seen;
      postRtt.push(t1 - t0);
      cacheLat.push(tSeen - t0);
      cacheAfterResponse.push(Math.max(0, tSeen - t1));
      if (tSeen < t1) beforeResponse++;
    }
    await until(() => [...starts.keys()].every((n) => kubectlSeen.has(n)), 10_000);
    const kubectlLat = [...starts].filter(([n]) => kubectlSeen.has(n)).map(([n, t0]) => kubectlSeen.get(n)! - t0);
    const watchCache = stats(cacheLat, usPrecision);
    const watchKubectl = stats(kubectlLat, usPrecision);
    results.watch = {
      objects: WATCH_OBJECTS,
      mode: "sequential: POST, wait until the cache has it, next",
      cacheFromBeforePost: watchCache,
      cacheFromPostResponse: stats(cacheAfterResponse, usPrecision),
      eventsBeforePostResponse: beforeResponse,
      postRoundTrip: stats(postRtt, usPrecision),
      baseline: { command: `kubectl get configmaps -n ${WATCH_NS} --watch-only -o name`, fromBeforePost: watchKubectl, seen: kubectlLat.length },
    };

    // ---------------------------------------------------------- 6. experiment: connection reuse
    let experiment: Record<string, Stats> | undefined;
    if (EXPERIMENTS) {
      log("Experiment: kubeRequest (new TLS connection per request) vs one reused connection pool");
      const reused = await reusedDispatcher(client);
      cleanups.push(() => reused.close());
      const N = 100;
      const perReqVersion: number[] = [];
      const reusedVersion: number[] = [];
      for (let i = 0; i < N; i++) {
        perReqVersion.push((await timed(() => kubeRequest(client, "GET", "/version"))).ms);
        reusedVersion.push((await timed(() => getReused(client, reused, "/version"))).ms);
      }
      const perReqList: number[] = [];
      const reusedList: number[] = [];
      for (let i = 0; i < FILL_RUNS; i++) {
        perReqList.push(
          (await timed(async () => (await listAll(client, "/api/v1/configmaps")).length + (await listAll(client, "/apis/apps/v1/deployments")).length)).ms,
        );
        reusedList.push(
          (
            await timed(
              async () => (await listAllReused(client, reused, "/api/v1/configmaps")) + (await listAllReused(client, reused, "/apis/apps/v1/deployments")),
            )
          ).ms,
        );
      }
      experiment = {
        "GET /version: kubeRequest": stats(perReqVersion, usPrecision),
        "GET /version: reused dispatcher": stats(reusedVersion, usPrecision),
        "paginated LIST cm+deploy: kubeRequest": stats(perReqList, usPrecision),
        "paginated LIST cm+deploy: reused dispatcher": stats(reusedList, usPrecision),
      };
      results.experiment = experiment;
      await checkpoint("after experiment");
    }

    // ---------------------------------------------------------- 7. report
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
    results.rssCheckpoints = rssAt;
    results.maxRssBytes = process.resourceUsage().maxRSS * 1024;

    const out: string[] = [];
    out.push("", "Tideline cluster cache benchmark (lib/kube ClusterCache against a real kube-apiserver)");
    out.push(
      `Machine: ${machine.cpu} x${machine.cpus}, ${machine.memoryGiB} GiB RAM, ${machine.os}, Node ${machine.node}, kubectl ${machine.kubectl}, server ${machine.server}`,
    );
    out.push(
      `Load average (1/5/15 min) at start: ${machine.loadAverageAtStart.join(" / ")}, at end: ${machine.loadAverageAtEnd.join(" / ")} (with ${machine.cpus} CPUs; other work on the machine skews every figure)`,
    );
    out.push(
      `Benchmark process RSS after forced GC: ${Object.entries(rssAt)
        .map(([k, v]) => `${k} ${v.rssMiB} MiB (heap ${v.heapUsedMiB})`)
        .join(", ")}; max RSS ${mib(process.resourceUsage().maxRSS * 1024)} MiB`,
    );
    out.push(`Busiest processes at start (%CPU command): ${busyAtStart.join("; ") || "n/a"}`);
    out.push(
      `Test bed: ready in ${fmtMs(start.ms)} (binary ${mib(binSize)} MiB, built ${binBuilt ?? "?"}, source hash ${buildHash?.slice(0, 12) ?? "?"}); ` +
        (rebuild ? `forced cold build: ${rebuild.seconds} s` : "cold build not timed (BENCH_REBUILD=1 times buildTestbed({force:true}), 20+ minutes)") +
        (testbedRss ? `; test-bed RSS after creation ${mib(testbedRss)} MiB` : ""),
    );
    out.push(
      `Objects: ${jobs.length} created (${NAMESPACES} ns x (${CM_PER_NS} ConfigMaps + ${DEP_PER_NS} Deployments), replicas 0) in ${fmtMs(objCreate.ms)} = ${Math.round(jobs.length / (objCreate.ms / 1000))}/s ` +
        `with ${PARALLEL} in flight (POST median ${fmtMs(createStats.median)}, p95 ${fmtMs(createStats.p95)}, max ${fmtMs(createStats.max)}); ${NAMESPACES + 1} namespaces in ${fmtMs(nsCreate.ms)}; controller settled in ${fmtMs(settle.ms)}`,
    );
    out.push(
      `Cache holds ${fillCounts.configMaps} ConfigMaps + ${fillCounts.deployments} Deployments; kubectl returned ${kubectlCounts.ConfigMap} + ${kubectlCounts.Deployment} ` +
        `${fillCounts.configMaps === kubectlCounts.ConfigMap && fillCounts.deployments === kubectlCounts.Deployment ? "(match)" : "(MISMATCH)"}; kubectl JSON ${mib(kubectlBytes)} MiB`,
    );
    out.push("");
    out.push(
      `Fill (${FILL_RUNS} runs each after 1 warm-up, interleaved; a fresh ClusterCache per run: discovery + paginated LIST of both kinds in parallel, until waitForSync)`,
    );
    out.push(
      table(
        ["Measure", "Tideline", "Baseline", "Baseline is", "Ratio"],
        [
          [
            "Fill: median",
            fmtMs(fillStats.median),
            fmtMs(kubectlStats.median),
            "kubectl get configmaps,deployments -A -o json",
            ratio(fillStats.median, kubectlStats.median),
          ],
          ["Fill: min", fmtMs(fillStats.min), fmtMs(kubectlStats.min), "", ratio(fillStats.min, kubectlStats.min)],
          ["Fill: max", fmtMs(fillStats.max), fmtMs(kubectlStats.max), "", ratio(fillStats.max, kubectlStats.max)],
          ["Warm-up run (not counted)", fmtMs(cWarm.ms), fmtMs(kWarm.ms), "", ratio(cWarm.ms, kWarm.ms)],
          ["  kubectl process start alone", "", fmtMs(kubectlStartup.median), "kubectl version --client (median)", ""],
        ],
      ),
    );
    out.push(
      `  Sockets still open 6 s after the ${FILL_RUNS + 1} fill caches were stopped: ${socketsAfterStop} (0 expected; each leaked watch holds its cache's objects for up to ~6 min)`,
    );
    out.push("");
    out.push(`Steady memory (${gc ? "after forced GC" : "NO forced GC available: figures are noisy"}; one filled cache, ${heldObjects} objects)`);
    out.push(
      table(
        ["Measure", "Before cache", "After fill", "Delta", "Per object"],
        [
          [
            "heapUsed",
            `${mib(before.heapUsed)} MiB`,
            `${mib(after.heapUsed)} MiB`,
            `${mib(after.heapUsed - before.heapUsed)} MiB`,
            `${Math.round(perObject)} B`,
          ],
          [
            "rss",
            `${mib(before.rss)} MiB`,
            `${mib(after.rss)} MiB`,
            `${mib(after.rss - before.rss)} MiB`,
            `${Math.round((after.rss - before.rss) / heldObjects)} B`,
          ],
          ["baseline: kubectl -o json bytes", "", "", `${mib(kubectlBytes)} MiB`, `${Math.round(wirePerObject)} B`],
        ],
      ),
    );
    out.push("");
    out.push(
      `Queries on the filled cache (ClusterCache.list/get, ${QUERY_RUNS} runs after 20 warm-up) vs the same request to the API server (kubeRequest, 50 runs)`,
    );
    out.push(
      table(
        ["Query", "Items", "Cache median", "Cache p95", "API median", "API p95", "API / cache"],
        queries.map((q) => [
          q.name,
          q.items,
          fmtMs(q.cache.median),
          fmtMs(q.cache.p95),
          fmtMs(q.api.median),
          fmtMs(q.api.p95),
          ratio(q.api.median, q.cache.median),
        ]),
      ),
    );
    out.push(
      `Lifecycle check: KindCache.stop() while the first LIST is in flight -> state 1 s later: ${stopCheck.stateAfterStop}, ${stopCheck.objectsRetained} objects held ` +
        (stopCheck.ok ? "(ok)" : '(BUG: list() sets state back to "synced", so the cache keeps watching forever after stop())'),
    );
    out.push("");
    out.push(
      `Watch latency (${WATCH_OBJECTS} ConfigMaps, one at a time; time from just before the POST until the object is seen). ` +
        `Baseline: kubectl --watch-only on the same namespace, same creates (${kubectlLat.length}/${WATCH_OBJECTS} seen)`,
    );
    const ws = results.watch as { cacheFromPostResponse: Stats; postRoundTrip: Stats };
    out.push(
      table(
        ["Measure", "p50", "p95", "p99", "Max"],
        [
          ["ClusterCache.onChange (from before POST)", fmtMs(watchCache.p50), fmtMs(watchCache.p95), fmtMs(watchCache.p99), fmtMs(watchCache.max)],
          [
            "ClusterCache.onChange (from POST response)",
            fmtMs(ws.cacheFromPostResponse.p50),
            fmtMs(ws.cacheFromPostResponse.p95),
            fmtMs(ws.cacheFromPostResponse.p99),
            fmtMs(ws.cacheFromPostResponse.max),
          ],
          [
            "baseline: kubectl --watch-only (from before POST)",
            fmtMs(watchKubectl.p50),
            fmtMs(watchKubectl.p95),
            fmtMs(watchKubectl.p99),
            fmtMs(watchKubectl.max),
          ],
          [
            "  POST round trip (kubeRequest)",
            fmtMs(ws.postRoundTrip.p50),
            fmtMs(ws.postRoundTrip.p95),
            fmtMs(ws.postRoundTrip.p99),
            fmtMs(ws.postRoundTrip.max),
          ],
        ],
      ),
    );
    out.push(
      `  ${beforeResponse}/${WATCH_OBJECTS} watch events reached the cache before the POST response did (counted as 0 ms in the "from POST response" row)`,
    );
    if (experiment) {
      out.push("");
      out.push("Experiment: transport connection reuse (lib/kube/transport.ts creates a new undici Agent, i.e. a new TLS connection, per request)");
      out.push(
        table(
          ["Request", "Median", "p95", "Max", "Runs"],
          Object.entries(experiment).map(([k, v]) => [k, fmtMs(v.median), fmtMs(v.p95), fmtMs(v.max), v.runs]),
        ),
      );
    }

    const text = out.join("\n");
    console.log(text);
    writeResults(ROOT, "cluster-cache", { config: { NAMESPACES, CM_PER_NS, DEP_PER_NS, PARALLEL, FILL_RUNS, WATCH_OBJECTS }, ...results });
  } finally {
    await runCleanups(cleanups, tmp, KEEP);
  }
}

await main();
// Watches and undici keep-alive sockets would otherwise hold the process open.
process.exit(0);

// Live environment page in Debian's Chromium against a production build (`next start`), real
// Postgres and the test bed: a cluster change (Deployment scaled) -> the new pod row on the open
// page, with the stream and, as the baseline in the same run, with the stream blocked (the page
// falls back to polling every 5 s, the old behaviour); navigation -> tree ready for a large
// environment; requests of an idle page besides its stream; server RSS with open streams.
//
//   npm run bench:browser-live
//
// Optional env: BENCH_SAMPLES (20), BENCH_DEPLOYMENTS (1000), BENCH_REPLICAS (3), BENCH_NODES (14,
// 250 pods each), BENCH_POD_WAIT_S (240), BENCH_IDLE_S (30), BENCH_STREAMS (100), BENCH_PORT (3590),
// BENCH_KEEP=1 to keep the temp folder. Reuses .next when its BUILD_ID is newer than the sources.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Page } from "@playwright/test";
import { parse } from "yaml";
import { ROOT, freshDatabase } from "../support/stack";
import { startTestbed } from "../scripts/testbed.mjs";
import { log, runCleanups, stats, table, writeResults } from "./lib/report";

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 20);
const DEPLOYMENTS = Number(process.env.BENCH_DEPLOYMENTS ?? 1000);
const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 3);
const NODES = Number(process.env.BENCH_NODES ?? 14);
const POD_WAIT_S = Number(process.env.BENCH_POD_WAIT_S ?? 240);
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 30);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 100);
const PORT = Number(process.env.BENCH_PORT ?? 3590);
const KEEP = process.env.BENCH_KEEP === "1";
const BASE = `http://127.0.0.1:${PORT}`;
const ms = (n: number) => Math.round(n);

/** Newest modification time under the folders the build is made from. */
function newestSource(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of ["app", "components", "lib", "server"]) if (existsSync(path.join(ROOT, d))) walk(path.join(ROOT, d));
  for (const f of ["next.config.js", "next.config.ts", "next.config.mjs", "package.json", "instrumentation.ts"])
    if (existsSync(path.join(ROOT, f))) newest = Math.max(newest, statSync(path.join(ROOT, f)).mtimeMs);
  return newest;
}

/** RSS (MiB) of the server's process group (next start and anything it forked). */
function groupRssMiB(pgid: number): number {
  const out = spawnSync("ps", ["-o", "rss=", "-g", String(pgid)]).stdout.toString();
  return Math.round(out.split("\n").reduce((s, l) => s + (Number(l.trim()) || 0), 0) / 1024);
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number, everyMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "tideline-bench-browser-"));
  chmodSync(tmp, 0o755);
  const cleanups: Array<() => Promise<void> | void> = [];
  try {
    log(`starting Postgres and the test bed (${NODES} nodes)`);
    const db = await freshDatabase({ dataDir: tmp, prefix: "tideline_bench_browser" });
    cleanups.push(db.stop);
    const testbed = await startTestbed({ quiet: true, nodes: NODES });
    cleanups.push(() => testbed.stop());
    const env = {
      ...process.env,
      DATABASE_URL: db.url,
      TIDELINE_SECRET_KEY: randomBytes(32).toString("base64"),
      TIDELINE_DATA_DIR: path.join(tmp, "data"),
      TIDELINE_FETCH_INTERVAL_SECONDS: "0",
      TIDELINE_PUBLIC_URL: BASE,
      // This process seeds through lib/ with React's server condition; Next picks its own per layer.
      NODE_OPTIONS: (process.env.NODE_OPTIONS ?? "").replace("--conditions=react-server", "").trim(),
    };
    Object.assign(process.env, { DATABASE_URL: env.DATABASE_URL, TIDELINE_SECRET_KEY: env.TIDELINE_SECRET_KEY, TIDELINE_DATA_DIR: env.TIDELINE_DATA_DIR });

    const { db: prisma } = await import("../lib/db");
    const { registerCluster } = await import("../lib/clusters/manage-clusters");
    const { clusterDeps } = await import("../server/root");
    const { createUser } = await import("../lib/users/manage-users");
    const { clientFromKubeconfig, kubeRequest } = await import("../lib/kube/transport");
    const { INVENTORY_LABEL } = await import("../lib/reconcile/desired");

    const kubeconfig = readFileSync(testbed.kubeconfigPath, "utf8");
    const kube = clientFromKubeconfig("bench", kubeconfig);
    const { cluster } = await registerCluster(clusterDeps(), {
      source: "kubeconfig",
      name: "bench",
      kubeconfig,
      context: parse(kubeconfig)["current-context"],
    });
    // Environments as rows (as bench/stream-latency.ts does): the page needs Postgres and the cluster, not Git.
    const repo = await prisma().repository.create({ data: { name: "bench-repo", url: "https://git.example.com/bench.git" } });
    const app = await prisma().application.create({ data: { name: "bench-app" } });
    const newEnv = (name: string, position: number, namespace: string) =>
      prisma().environment.create({
        data: { applicationId: app.id, name, position, repositoryId: repo.id, branch: "main", path: "", clusterId: cluster.id, namespace },
      });
    const small = await newEnv("live", 0, "bench-live");
    const big = await newEnv("big", 1, "bench-big");
    await createUser(prisma(), { username: "bench-admin", password: "bench-password-123", role: "admin" });

    const deployment = (name: string, environmentId: string, replicas: number) => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, labels: { [INVENTORY_LABEL]: environmentId } },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "registry.example.com/bench:1" }] } },
      },
    });
    const applied = (environmentId: string, namespace: string, name: string) => ({
      environmentId,
      apiVersion: "apps/v1",
      kind: "Deployment",
      namespace,
      name,
      syncStatus: "Synced",
      health: "Healthy",
      inInventory: true,
    });
    for (const ns of ["bench-live", "bench-big"])
      await kubeRequest(kube, "POST", "/api/v1/namespaces", { body: { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } } });
    await kubeRequest(kube, "POST", "/apis/apps/v1/namespaces/bench-live/deployments", { body: deployment("web", small.id, 1) });
    await prisma().resourceState.create({ data: applied(small.id, "bench-live", "web") });

    log(`creating ${DEPLOYMENTS} Deployments × ${REPLICAS} replicas`);
    const names = Array.from({ length: DEPLOYMENTS }, (_, i) => `app-${String(i).padStart(4, "0")}`);
    for (let i = 0; i < names.length; i += 25)
      await Promise.all(
        names
          .slice(i, i + 25)
          .map((n) => kubeRequest(kube, "POST", "/apis/apps/v1/namespaces/bench-big/deployments", { body: deployment(n, big.id, REPLICAS) })),
      );
    await prisma().resourceState.createMany({ data: names.map((n) => applied(big.id, "bench-big", n)) });

    // Build when .next is missing or older than the sources.
    const buildId = path.join(ROOT, ".next", "BUILD_ID");
    if (!existsSync(buildId) || statSync(buildId).mtimeMs < newestSource()) {
      log("building (next build)");
      const b = spawnSync("npm", ["run", "build"], { cwd: ROOT, env, stdio: "inherit" });
      if (b.status !== 0) throw new Error("npm run build failed");
    } else log("reusing .next (newer than the sources)");

    const server = spawn(path.join(ROOT, "node_modules", ".bin", "next"), ["start", "-p", String(PORT), "-H", "127.0.0.1"], {
      cwd: ROOT,
      env: { ...env, TIDELINE_ROLE: "web" },
      stdio: ["ignore", "ignore", "inherit"],
      detached: true,
    });
    cleanups.push(() => {
      try {
        process.kill(-server.pid!, "SIGKILL");
      } catch {}
    });
    await waitFor("next start", async () => ((await fetch(`${BASE}/login`)).status < 500 ? true : undefined), 60_000, 200);

    // Wait for the big environment's pods (the simulator makes them Running), then measure with what exists.
    const podCount = async () =>
      ((await kubeRequest<{ items: unknown[] }>(kube, "GET", "/api/v1/namespaces/bench-big/pods")) as { items: unknown[] }).items.length;
    const wanted = DEPLOYMENTS * REPLICAS;
    const podsStarted = Date.now();
    let pods = 0;
    while (Date.now() - podsStarted < POD_WAIT_S * 1000) {
      pods = await podCount();
      if (pods >= wanted) break;
      await new Promise((r) => setTimeout(r, 3000));
    }
    log(`${pods} of ${wanted} pods after ${Math.round((Date.now() - podsStarted) / 1000)} s`);

    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    cleanups.push(() => browser.close());
    const context = await browser.newContext({ baseURL: BASE });
    const login = await context.request.post("/api/auth/login", { data: { username: "bench-admin", password: "bench-password-123" } });
    if (!login.ok()) throw new Error(`sign-in failed: ${login.status()}`);

    const openTree = async (page: Page, id: string) => {
      await page.goto(`/environments/${id}`);
      await page.getByRole("button", { name: "Resource tree" }).click();
    };

    // Cluster change -> visible: scale up by one, wait until the tree counts that many pods (plus the Deployment and its
    // ReplicaSet; rows are virtualized, so the count, not the DOM rows); Date.now() on both sides (same machine).
    let replicas = 1;
    const latency = async (page: Page) => {
      const out: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        // A random pause so changes do not land in phase with the 5 s poll (the baseline would then always wait a full interval).
        await page.waitForTimeout(Math.random() * 5000);
        replicas += 1;
        const started = Date.now();
        await kubeRequest(kube, "PATCH", "/apis/apps/v1/namespaces/bench-live/deployments/web", {
          contentType: "application/merge-patch+json",
          body: { spec: { replicas } },
        });
        const seen = await page.waitForFunction(
          (n) =>
            Number(/of (\d+) objects/.exec(document.querySelector('[data-testid="tree-count"]')?.textContent ?? "")?.[1] ?? 0) - 2 >= n ? Date.now() : false,
          replicas,
          { polling: 10, timeout: 30_000 },
        );
        out.push(((await seen.jsonValue()) as number) - started);
      }
      return out;
    };
    const live = await context.newPage();
    await openTree(live, small.id);
    await live.waitForSelector('[data-testid="live-status"][data-state="live"]');
    await live.waitForFunction(
      () => Number(/of (\d+) objects/.exec(document.querySelector('[data-testid="tree-count"]')?.textContent ?? "")?.[1] ?? 0) - 2 >= 1,
    );
    log("measuring change -> visible with the stream");
    const streamSamples = await latency(live);

    // Idle page: every request besides the stream for IDLE_S seconds.
    log(`idle page for ${IDLE_S} s`);
    const idleRequests: string[] = [];
    const onRequest = (r: { url: () => string }) => {
      if (!r.url().includes("/stream")) idleRequests.push(r.url());
    };
    live.on("request", onRequest);
    await live.waitForTimeout(IDLE_S * 1000);
    live.off("request", onRequest);
    await live.close();

    const polled = await context.newPage();
    await polled.route("**/stream*", (r) => r.abort());
    await openTree(polled, small.id);
    await polled.waitForSelector('[data-testid="live-status"][data-state="polling"]');
    await polled.waitForFunction(
      (n) => Number(/of (\d+) objects/.exec(document.querySelector('[data-testid="tree-count"]')?.textContent ?? "")?.[1] ?? 0) - 2 >= n,
      replicas,
      { timeout: 30_000 },
    );
    log("measuring change -> visible with the stream blocked (polling)");
    const pollSamples = await latency(polled);
    await polled.close();

    // Navigation -> tree ready (the count shows every node) for the big environment.
    const treeNodes = await (await context.request.get(`/api/environments/${big.id}/tree`)).json();
    const kinds = (treeNodes.nodes as Array<{ kind: string }>).map((n) => n.kind);
    const total = kinds.length;
    const count = new Map<string, number>();
    for (const k of kinds) count.set(k, (count.get(k) ?? 0) + 1);
    const byKind = [...count].map(([k, n]) => `${n} ${k}`).join(", ");
    log(`big environment: ${total} tree nodes (${byKind})`);
    /** Polled in the page every 10 ms: the tree's count shows all `total` nodes. */
    const treeShows = (page: Page, t: number) =>
      page.waitForFunction((n) => document.querySelector('[data-testid="tree-count"]')?.textContent?.includes(`of ${n} objects`), t, {
        polling: 10,
        timeout: 30_000,
      });
    const readySamples: number[] = [];
    const pageSamples: number[] = [];
    // Where a navigation's time goes: the document and the environment's detail finished loading
    // (requestfinished), the load event (goto resolves), the header rendered.
    const phases = { document: [] as number[], load: [] as number[], detail: [] as number[], header: [] as number[] };
    for (let i = 0; i < 5; i++) {
      const page = await context.newPage();
      const started = Date.now();
      const finished = new Map<string, number>();
      page.on("requestfinished", (r) => {
        const p = new URL(r.url()).pathname;
        if (!finished.has(p)) finished.set(p, Date.now() - started);
      });
      await page.goto(`/environments/${big.id}`);
      phases.load.push(Date.now() - started);
      // Polled in the page every 10 ms like the tree below (a locator's waitFor backs off up to 500 ms).
      await page.waitForFunction(() => document.querySelector('[data-testid="environment-name"]') !== null, null, { polling: 10, timeout: 30_000 });
      phases.header.push(Date.now() - started);
      await page.getByRole("button", { name: "Resource tree" }).click();
      pageSamples.push(Date.now() - started);
      phases.document.push(finished.get(`/environments/${big.id}`) ?? Number.NaN);
      await treeShows(page, total);
      readySamples.push(Date.now() - started);
      phases.detail.push(finished.get(`/api/environments/${big.id}`) ?? Number.NaN);
      await page.close();
    }

    // The tree's own URL (?tab=tree, a reload or a shared link): the tree opens without the Objects tab.
    const directSamples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const page = await context.newPage();
      const started = Date.now();
      await page.goto(`/environments/${big.id}?tab=tree`);
      await treeShows(page, total);
      directSamples.push(Date.now() - started);
      await page.close();
    }

    // Server RSS with STREAMS open streams (Node fetch with the session cookie), over both environments.
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    await new Promise((r) => setTimeout(r, 2000));
    const rssBefore = groupRssMiB(server.pid!);
    const aborts = new AbortController();
    const bodies = [];
    for (let i = 0; i < STREAMS; i++) {
      const res = await fetch(`${BASE}/api/environments/${i % 10 === 0 ? big.id : small.id}/stream`, { headers: { cookie }, signal: aborts.signal });
      if (res.status !== 200) throw new Error(`stream answered ${res.status}`);
      const reader = res.body!.getReader();
      await reader.read(); // the first bytes (the snapshot) arrived
      bodies.push(reader);
    }
    await new Promise((r) => setTimeout(r, 3000));
    const rssAfter = groupRssMiB(server.pid!);
    aborts.abort();
    await context.close();

    const load = os.loadavg().map((n) => n.toFixed(2));
    const s = stats(streamSamples, ms);
    const p = stats(pollSamples, ms);
    const r = stats(readySamples, ms);
    console.log(`\n# Browser live page (Chromium, next start, role web; load ${load.join(" ")}, ${os.cpus().length} cores)\n`);
    console.log(
      table(
        ["cluster change (Deployment scaled) -> new pod in the open page's tree", "runs", "p50 ms", "p95 ms", "max ms"],
        [
          ["with the stream", s.runs, s.p50, s.p95, s.max],
          ["baseline: stream blocked, page polls every 5 s", p.runs, p.p50, p.p95, p.max],
        ],
      ),
    );
    console.log(`\n## Navigation -> tree ready: ${DEPLOYMENTS} Deployments, ${pods} pods (${total} tree nodes: ${byKind})\n`);
    const pg = stats(pageSamples, ms);
    console.log(
      table(
        ["navigation -> ...", "runs", "p50 ms", "p95 ms", "max ms"],
        [
          ...(
            [
              ["the document loaded (HTML of the page)", phases.document],
              ["the load event (scripts run)", phases.load],
              ["the environment's detail loaded (/api/environments/<id>)", phases.detail],
              ["the page header rendered", phases.header],
            ] as const
          ).map(([label, xs]) => {
            const x = stats(xs.filter(Number.isFinite), ms);
            // The detail is not requested while the stream is up (its snapshot brings it).
            return x.runs === 0 ? [`${label}: not requested`, 0, "-", "-", "-"] : [label, x.runs, x.p50, x.p95, x.max];
          }),
          ["the Resource tree tab clicked (page rendered)", pg.runs, pg.p50, pg.p95, pg.max],
          ["tree ready (the count shows all nodes)", r.runs, r.p50, r.p95, r.max],
          ...[stats(directSamples, ms)].map((d) => ["navigation to ?tab=tree -> tree ready", d.runs, d.p50, d.p95, d.max]),
        ],
      ),
    );
    console.log(`\n## Idle page for ${IDLE_S} s: ${idleRequests.length} requests besides the stream`);
    for (const u of idleRequests) console.log(`- ${new URL(u).pathname}`);
    console.log(`\n## Server RSS (process group) with ${STREAMS} open streams: ${rssBefore} MiB before, ${rssAfter} MiB after (+${rssAfter - rssBefore} MiB)`);
    writeResults(ROOT, "browser-live", {
      load,
      stream: s,
      polling: p,
      pageReady: pg,
      phases,
      directTreeReady: stats(directSamples, ms),
      treeReady: { ...r, deployments: DEPLOYMENTS, pods, nodes: total, byKind },
      idle: { seconds: IDLE_S, requests: idleRequests },
      rss: { streams: STREAMS, beforeMiB: rssBefore, afterMiB: rssAfter },
    });
  } finally {
    await runCleanups(cleanups, tmp, KEEP);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

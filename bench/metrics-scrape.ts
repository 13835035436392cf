// /metrics scrape benchmark: a Tideline with 1,000 environments (250 applications x 4, 3 clusters,
// seeded into Postgres, 1,000 queued environment.work jobs) whose registry was filled through the
// real metric code paths: recordReconcile/recordSync/recordDrift per environment, kubeRequest
// against a local HTTP API server (verbs and codes per cluster), apiRoute handlers for every route
// under app/api (route patterns), fetch/webhook/image/watch counters. Times scrapeResponse (the
// /metrics handler: token check, database figures, text rendering) and its size. Baseline in the
// same run: a scrape of an empty registry (process metrics only), and the parts on their own.
//
//   npx tsx --conditions=react-server bench/metrics-scrape.ts                  # 1,000 environments (about 30 s)
//   BENCH_ENVS=5000 npx tsx --conditions=react-server bench/metrics-scrape.ts
//
// Target (issue 17): < 100 ms and < 1 MB for 1,000 environments. DATABASE_URL: use that server.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { chmodSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { ROOT, freshDatabase } from "../support/stack";
import { log, runCleanups, sample, table, writeResults } from "./lib/report";

const ENVS = Number(process.env.BENCH_ENVS ?? 1000);
const PER_APP = 4;
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const TARGET_MS = 100;
const TARGET_BYTES = 1_000_000;
const round = (n: number) => Math.round(n * 100) / 100;
const kb = (n: number) => `${Math.round(n / 1024)} KB`;

function routeFolders(dir: string, prefix = ""): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return routeFolders(full, prefix ? `${prefix}/${name}` : name);
    return name === "route.ts" ? [prefix] : [];
  });
}

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "tideline-bench-metrics-"));
  chmodSync(tmp, 0o755);
  const cleanups: Array<() => Promise<void> | void> = [];
  try {
    const fresh = await freshDatabase({ dataDir: tmp, prefix: "tideline_bench_metrics" });
    cleanups.push(() => fresh.stop());
    const token = randomBytes(24).toString("hex");
    Object.assign(process.env, {
      DATABASE_URL: fresh.url,
      TIDELINE_SECRET_KEY: randomBytes(32).toString("base64"),
      TIDELINE_DATA_DIR: path.join(tmp, "data"),
      TIDELINE_JOB_SCHEMA: "bench_jobs",
      TIDELINE_METRICS_TOKEN: token,
      TIDELINE_KUBECONFIG_ALLOW_HTTP: "true",
    });
    const { db } = await import("../lib/db");
    const { jobs, metricsDeps } = await import("../server/root");
    const { metrics } = await import("../lib/metrics/registry");
    const { createMetrics } = await import("../lib/metrics/definitions");
    const { recordDrift, recordReconcile, recordSync } = await import("../lib/metrics/record");
    const { refreshFleetGauges } = await import("../lib/metrics/fleet");
    const { scrapeResponse } = await import("../lib/metrics/scrape");
    const { clientFromKubeconfig, kubeRequest } = await import("../lib/kube/transport");
    const { apiRoute } = await import("../lib/api/handler");
    const { NextRequest } = await import("next/server");
    const prisma = db();
    cleanups.push(() => prisma.$disconnect());

    // ------------------------------------------------------------------ seed the fleet
    log(`Seeding ${ENVS} environments and ${ENVS} queued environment.work jobs`);
    const repo = await prisma.repository.create({
      data: { name: "bench-config", url: "http://127.0.0.1:1/bench-config.git", status: "ready", defaultBranch: "main" },
    });
    const clusters = await Promise.all(
      ["prod-eu", "prod-us", "staging"].map((name) =>
        prisma.cluster.create({ data: { name, server: `https://${name}.example.com:6443`, status: "connected" } }),
      ),
    );
    await prisma.application.createMany({ data: Array.from({ length: Math.ceil(ENVS / PER_APP) }, (_, i) => ({ name: `app-${i}` })) });
    const apps = await prisma.application.findMany({ select: { id: true } });
    const statuses = ["Synced", "Synced", "Synced", "OutOfSync", "Unknown"] as const;
    const healths = ["Healthy", "Healthy", "Healthy", "Progressing", "Degraded", "Missing", "Suspended", "Unknown"] as const;
    const rows = Array.from({ length: ENVS }, (_, i) => ({
      applicationId: apps[Math.floor(i / PER_APP)]!.id,
      name: ["dev", "staging", "prod", "canary"][i % PER_APP]!,
      position: i % PER_APP,
      repositoryId: repo.id,
      branch: "main",
      path: `apps/${i}`,
      clusterId: clusters[i % 3]!.id,
      namespace: `ns-${i}`,
      syncStatus: statuses[i % statuses.length]!,
      health: healths[i % healths.length]!,
    }));
    for (let i = 0; i < rows.length; i += 1000) await prisma.environment.createMany({ data: rows.slice(i, i + 1000) });
    const envs = await prisma.environment.findMany({ select: { id: true } });
    await jobs().start();
    cleanups.push(() => jobs().stop({ graceful: false }));
    for (const e of envs) await jobs().send("environment.work", { environmentId: e.id, reason: "bench" });

    // ------------------------------------------------------------------ fill the registry (real code paths)
    log("Filling the registry: reconciles, syncs, drift per environment; Kubernetes requests; every API route");
    const fillStarted = performance.now();
    const t0 = performance.now() - 0.25;
    for (const [i, e] of envs.entries()) {
      recordReconcile(e.id, "Synced", t0);
      if (i % 5 === 3) recordReconcile(e.id, "OutOfSync", t0);
      if (i % 50 === 0) recordReconcile(e.id, "error", t0);
      recordSync(e.id, i % 4 === 0 ? "manual" : "auto", i % 20 === 0 ? "failed" : "succeeded", t0);
      recordDrift(e.id, i % 5 === 3 ? [{ syncStatus: "OutOfSync" }, { syncStatus: "Missing" }, { syncStatus: "Synced" }] : [{ syncStatus: "Synced" }]);
    }
    // A local "API server" answering every request (200, or 201/404/409/422 by path), one client per cluster.
    const api = createServer((req, res) => {
      const code = req.url!.includes("missing") ? 404 : req.url!.includes("conflict") ? 409 : req.method === "PATCH" && req.url!.includes("new") ? 201 : 200;
      res
        .writeHead(code, { "Content-Type": "application/json" })
        .end(code >= 400 ? `{"kind":"Status","message":"bench ${code}"}` : `{"kind":"List","items":[],"metadata":{"resourceVersion":"1"}}`);
    });
    await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => api.close(() => r())));
    const server = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    const kubeconfig = (name: string) =>
      `apiVersion: v1\nkind: Config\nclusters: [{name: ${name}, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: bench}}]\ncontexts: [{name: c, context: {cluster: ${name}, user: u}}]\ncurrent-context: c\n`;
    const calls: Array<[string, string, string?]> = [
      ["GET", "/api"],
      ["GET", "/apis/apps/v1"],
      ["GET", "/api/v1/namespaces"],
      ["GET", "/api/v1/namespaces/ns-1"],
      ["GET", "/apis/apps/v1/namespaces/ns-1/deployments"],
      ["GET", "/apis/apps/v1/namespaces/ns-1/deployments/web"],
      ["GET", "/api/v1/namespaces/ns-1/configmaps/missing"],
      ["PATCH", "/apis/apps/v1/namespaces/ns-1/deployments/web", "application/apply-patch+yaml"],
      ["PATCH", "/api/v1/namespaces/ns-1/configmaps/new", "application/apply-patch+yaml"],
      ["PATCH", "/api/v1/namespaces/ns-1/configmaps/conflict", "application/apply-patch+yaml"],
      ["DELETE", "/api/v1/namespaces/ns-1/configmaps/old"],
      ["POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"],
    ];
    for (const c of clusters) {
      const client = clientFromKubeconfig(c.name, kubeconfig(c.name));
      for (let round = 0; round < 20; round++)
        for (const [method, p, contentType] of calls)
          await kubeRequest(client, method as "GET", p, { contentType, body: method === "GET" ? undefined : {} }).catch(() => {});
      metrics().watchCacheObjects.inc({ cluster: c.name }, (10 * ENVS) / 3);
      metrics().watchRestarts.inc({ cluster: c.name, reason: "expired" });
      metrics().watchRestarts.inc({ cluster: c.name, reason: "error" });
    }
    // Every route under app/api, through apiRoute (route pattern from the params), 200 and 404 answers.
    const routes = routeFolders(path.join(ROOT, "app/api"));
    for (const folder of routes) {
      const names = [...folder.matchAll(/\[(\w+)\]/g)].map((m) => m[1]!);
      const params = Object.fromEntries(names.map((n) => [n, `c${randomBytes(12).toString("hex")}`]));
      const url = `/api/${folder.replace(/\[(\w+)\]/g, (_, n: string) => params[n]!)}`;
      for (const [method, status] of [
        ["GET", 200],
        ["POST", 404],
        ["GET", 404],
      ] as const) {
        const handler = apiRoute({ action: "public" }, async () => new Response(null, { status }));
        await handler(new NextRequest(new URL(url, "http://bench.test"), { method }), { params: Promise.resolve(params) });
      }
    }
    for (const outcome of ["fetched", "failed"]) metrics().gitFetchDuration.observe({ outcome }, 0.4);
    for (const reason of ["unauthenticated", "unreachable", "not_found"]) metrics().gitFetchFailures.inc({ reason });
    for (const source of ["github", "gitlab", "gitea", "generic", "ci", "registry"])
      for (const outcome of ["accepted", "rejected", "ignored"]) metrics().webhookDeliveries.inc({ source, outcome });
    for (const outcome of ["ok", "unauthorized", "rate_limited", "internal"]) metrics().imagePolicyChecks.inc({ outcome });
    const fillMs = performance.now() - fillStarted;

    // ------------------------------------------------------------------ measure
    const headers = new Headers({ authorization: `Bearer ${token}` });
    const deps = metricsDeps({ fleet: true });
    let body = "";
    const scrape = async () => {
      const res = await scrapeResponse(deps, headers);
      if (res.status !== 200) throw new Error(`scrape answered ${res.status}: ${await res.text()}`);
      body = await res.text();
    };
    log(`Timing ${RUNS} scrapes after 3 warm-ups`);
    const full = await sample(scrape, RUNS, 3, round);
    const fullBytes = Buffer.byteLength(body);
    const series = body.split("\n").filter((l) => l && !l.startsWith("#")).length;
    const fleet = await sample(() => refreshFleetGauges(metrics(), { prisma, ...deps.fleet! }), RUNS, 3, round);
    const render = await sample(() => metrics().registry.metrics(), RUNS, 3, round);
    // Baseline: an empty registry (process metrics only) rendered the same way, same process.
    const empty = createMetrics();
    let emptyBody = "";
    const baseline = await sample(async () => void (emptyBody = await empty.registry.metrics()), RUNS, 3, round);
    const shape = (name: string) => body.split("\n").filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `)).length;

    const load = os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(" / ");
    console.log(
      `\n## /metrics scrape, ${ENVS} environments (${os.cpus().length} CPUs ${os.cpus()[0]?.model ?? ""}; load 1/5/15 min ${load}; Node ${process.version})\n`,
    );
    console.log(
      table(
        ["what", "median", "p95", "max", "size", "series"],
        [
          ["full scrape: token, database figures, render", `${full.median} ms`, `${full.p95} ms`, `${full.max} ms`, kb(fullBytes), series],
          ["  of which database figures (1 read of environments + queue figures)", `${fleet.median} ms`, `${fleet.p95} ms`, `${fleet.max} ms`, "", ""],
          ["  of which rendering the registry", `${render.median} ms`, `${render.p95} ms`, `${render.max} ms`, "", ""],
          [
            "baseline: empty registry (process metrics only)",
            `${baseline.median} ms`,
            `${baseline.p95} ms`,
            `${baseline.max} ms`,
            kb(Buffer.byteLength(emptyBody)),
            emptyBody.split("\n").filter((l) => l && !l.startsWith("#")).length,
          ],
        ],
      ),
    );
    console.log(
      `\nSeries: sync_total ${shape("tideline_sync_total")}, reconcile_total ${shape("tideline_reconcile_total")}, drift ${shape("tideline_environment_drift_objects")}, environment_info ${shape("tideline_environment_info")}, http buckets ${shape("tideline_http_request_duration_seconds_bucket")} (${routes.length} route files), kube requests ${shape("tideline_kube_requests_total")}. Registry filled in ${Math.round(fillMs)} ms.`,
    );
    const ok = full.p95 < TARGET_MS && fullBytes < TARGET_BYTES;
    console.log(`Target < ${TARGET_MS} ms and < ${kb(TARGET_BYTES)}: ${ok ? "met" : "NOT met"} (p95 ${full.p95} ms, ${kb(fullBytes)})`);
    writeResults(ROOT, "metrics-scrape", {
      envs: ENVS,
      runs: RUNS,
      full,
      fleet,
      render,
      baseline,
      bytes: fullBytes,
      baselineBytes: Buffer.byteLength(emptyBody),
      series,
      load: os.loadavg(),
      cpus: os.cpus().length,
    });
  } finally {
    await runCleanups(cleanups, tmp, false);
  }
}

await main();
process.exit(0);

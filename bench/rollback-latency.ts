// Automatic rollback latency on a real stack (embedded Postgres, git http-backend, a dedicated test
// bed, the job engine): an environment with auto-rollback runs a verified revision, a new revision
// is synced and under verification (a long healthy window), then its Pod starts crash-looping (the
// test bed's failure annotation on the live Pod). Measured: Degraded detected (a reconcile stored the environment
// Degraded) -> rollback started (the rollback's row created by the verification job). Target p50 < 5 s.
//
//   npx tsx --conditions=react-server bench/rollback-latency.ts            # BENCH_RUNS=5
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml, stringify } from "yaml";
import { log, runCleanups, stats, table, writeResults } from "./lib/report";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGET_P50_MS = 5000;
const ms = (n: number) => Math.round(n);
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const NS = "bench-rollback";

async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 120_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)?.slice(0, 300)}`);
    await sleep(everyMs);
  }
}

// A bare Pod: Healthy once running, Degraded as soon as its container crash-loops (no rollout gate in between).
const web = (tag: number) =>
  stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web", labels: { app: "web" } },
    spec: { containers: [{ name: "c", image: `registry.example/web:${tag}` }] },
  });

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "tideline-bench-rollback-"));
  chmodSync(tmp, 0o755);
  const cleanups: Array<() => Promise<void> | void> = [];
  const results: Record<string, unknown> = { runs: RUNS, load: os.loadavg() };
  try {
    const { freshDatabase } = await import("../support/stack");
    const { startGitServer } = await import("../support/git-server");
    const { runGit, commitFile } = await import("../support/demo-repo");
    const { startTestbed } = await import("../scripts/testbed.mjs");
    const fresh = await freshDatabase({ dataDir: tmp, prefix: "tideline_bench_rollback" });
    cleanups.push(() => fresh.stop());
    Object.assign(process.env, {
      DATABASE_URL: fresh.url,
      TIDELINE_SECRET_KEY: randomBytes(32).toString("base64"),
      TIDELINE_DATA_DIR: path.join(tmp, "data"),
      TIDELINE_FETCH_INTERVAL_SECONDS: "0",
      TIDELINE_RECONCILE_INTERVAL_SECONDS: "0",
    });
    const bedDir = path.join(tmp, "testbed");
    mkdirSync(bedDir);
    chmodSync(bedDir, 0o755);
    log("Starting a dedicated test bed");
    const tb = await startTestbed({ dir: bedDir, quiet: true });
    cleanups.push(() => tb.stop());
    const kubeconfig = readFileSync(tb.kubeconfigPath, "utf8");

    const { db } = await import("../lib/db");
    const { fetchDeps, sealDeps, clusterDeps, reconcileDeps, promotionDeps } = await import("../server/root");
    const { addRepository } = await import("../lib/repositories/add-repository");
    const { fetchRepository } = await import("../lib/repositories/fetch-repository");
    const { registerCluster } = await import("../lib/clusters/manage-clusters");
    const { createApplication, createEnvironment } = await import("../lib/environments/manage-environments");
    const { requestSync } = await import("../lib/reconcile/manual-sync");
    const { releaseHold } = await import("../lib/promotions/rollback");
    const { clientFromKubeconfig, kubeRequest } = await import("../lib/kube/transport");
    const { startWorker, stopWorker } = await import("../server/worker");
    await startWorker({ periodic: false });
    cleanups.push(() => stopWorker());
    const prisma = db();
    cleanups.push(() => prisma.$disconnect());
    const kube = clientFromKubeconfig("bench", kubeconfig);

    const gitRoot = path.join(tmp, "git");
    mkdirSync(gitRoot);
    const bare = path.join(gitRoot, "app.git");
    await runGit(["init", "-q", "--bare", "-b", "main", bare]);
    await commitFile(bare, { branch: "main", path: "web/web.yaml", content: web(0), message: "web 0" });
    const server = await startGitServer({ root: gitRoot });
    cleanups.push(() => server.stop());
    const repo = await addRepository(sealDeps(), { name: "app", url: `${server.url}/app.git` }, null);
    await fetchRepository(fetchDeps(), repo.id);
    const { cluster } = await registerCluster(clusterDeps(), {
      source: "kubeconfig",
      name: "testbed",
      kubeconfig,
      context: parseYaml(kubeconfig)["current-context"],
    });
    const app = await createApplication(prisma, { name: "bench" });
    // A long window: the verification is still running when the pod starts failing.
    const env = await createEnvironment(prisma, path.join(tmp, "data", "mirrors"), app.id, {
      name: "prod",
      branch: "main",
      repositoryId: repo.id,
      clusterId: cluster.id,
      renderer: "auto",
      helmValuesFiles: [],
      path: "web",
      namespace: NS,
      verifyHealthyMinutes: 0.05,
      verifyTimeoutMinutes: 30,
      autoRollback: true,
    });
    const sync = async () => {
      const { runId } = await requestSync(reconcileDeps(), env.id, { actorName: "bench" });
      return until(
        "the sync",
        () => prisma.syncRun.findUniqueOrThrow({ where: { id: runId } }),
        (r) => !["queued", "running"].includes(r.status),
        180_000,
        200,
      );
    };
    log("First sync and its verification (the revision rollbacks return to)");
    const first = await sync();
    await until(
      "the first verification",
      () => prisma.verification.findUnique({ where: { syncRunId: first.id } }),
      (v) => v?.status === "passed",
      120_000,
      200,
    );
    await prisma.environment.update({ where: { id: env.id }, data: { verifyHealthyMinutes: 30 } });

    const samples: number[] = [];
    const rows: Array<Array<string | number>> = [];
    for (let i = 1; i <= RUNS; i++) {
      await commitFile(bare, { branch: "main", path: "web/web.yaml", content: web(i), message: `web ${i}` });
      await fetchRepository(fetchDeps(), repo.id);
      const run = await sync();
      if (run.status !== "succeeded") throw new Error(`sync ${i} ${run.status}: ${run.error}`);
      const v = await until(
        "verification healthy",
        () => prisma.verification.findUnique({ where: { syncRunId: run.id } }),
        (x) => Boolean(x?.healthySince),
        60_000,
        100,
      );
      // The new version starts failing: annotate its pod, the test bed crash-loops it.
      const failing = (on: boolean) =>
        kubeRequest(kube, "PATCH", `/api/v1/namespaces/${NS}/pods/web`, {
          body: { metadata: { annotations: { "testbed.tideline.dev/fail": on ? "crashloop" : null } } },
          contentType: "application/merge-patch+json",
        });
      await failing(true);
      const degradedAt = (
        await until(
          "Degraded detected",
          () => prisma.environment.findUniqueOrThrow({ where: { id: env.id } }),
          (e) => e.health === "Degraded",
          120_000,
          20,
        )
      ).lastReconciledAt!.getTime();
      const rolled = await until(
        "rollback started",
        () => prisma.verification.findUniqueOrThrow({ where: { id: v!.id } }),
        (x) => x.rollbackStatus !== null && x.rollbackStatus !== "starting",
        60_000,
        20,
      );
      if (rolled.rollbackStatus !== "started") throw new Error(`rollback ${rolled.rollbackStatus}: ${rolled.rollbackReason}`);
      const rollback = await prisma.promotion.findUniqueOrThrow({ where: { id: rolled.rollbackPromotionId! } });
      const latency = rollback.createdAt.getTime() - degradedAt;
      samples.push(latency);
      rows.push([i, ms(latency), rolled.reason?.slice(0, 60) ?? ""]);
      log(`run ${i}: Degraded -> rollback started ${ms(latency)} ms`);
      // Back to a clean state for the next run: the pod recovers, the rollback lands, the hold is released.
      await failing(false);
      await until(
        "the rollback lands",
        () => prisma.promotion.findUniqueOrThrow({ where: { id: rollback.id } }),
        (p) => !["merged", "syncing"].includes(p.status),
        180_000,
        200,
      );
      await releaseHold(promotionDeps(), { id: "bench", username: "bench" }, env.id);
    }
    const s = stats(samples, ms);
    results.samples = samples;
    results.stats = s;
    console.log(table(["run", "Degraded -> rollback started (ms)", "verdict"], rows));
    console.log(
      `\nDegraded detected -> rollback started: p50 ${s.p50} ms, p95 ${s.p95} ms, min ${s.min} ms, max ${s.max} ms over ${s.runs} runs (target p50 < ${TARGET_P50_MS} ms: ${s.p50 < TARGET_P50_MS ? "met" : "NOT met"}); load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
    );
    writeResults(ROOT, "rollback-latency", results);
  } finally {
    await runCleanups(cleanups, tmp, process.env.BENCH_KEEP === "1");
  }
}

await main();
process.exit(0);

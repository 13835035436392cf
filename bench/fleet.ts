// Fleet benchmark: N environments (default 1,000) x 10 objects (8 ConfigMaps + 2 Deployments with
// replicas 0) from one generated repository, on a dedicated test bed, run by real worker processes
// (server/worker-main.ts) on the job engine. Prints, with kubectl on the same folders as the baseline
// in the same run:
//   a. cold start -> every environment assessed (1 worker)
//   b. first full sync: the first half of the fleet with 1 worker, the second half with 3 workers
//   c. warm pass (nothing changed): worker CPU per environment at 200 and at N environments
//   d. steady state (nothing changes): worker CPU % and RSS over BENCH_STEADY_SECONDS, and the jobs it ran
//   e. one commit touching one environment -> OutOfSync seen, and (auto-sync) Synced: p50/p95
//   baseline: kubectl diff --server-side and kubectl apply --server-side of BENCH_KUBECTL folders, in a loop
//
//   npx tsx --conditions=react-server bench/fleet.ts
//   BENCH_ENVS=200 BENCH_STEADY_SECONDS=60 npx tsx --conditions=react-server bench/fleet.ts     # quick run
//   BENCH_PROFILE=1 (cold/sync worker) or BENCH_PROFILE=steady: V8 CPU profiles in bench/results/profiles/
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parse as parseYaml, stringify } from "yaml";
import { log, runCleanups, stats, table } from "./lib/report";

const ENVS = Number(process.env.BENCH_ENVS ?? 1000);
const STEADY_SECONDS = Number(process.env.BENCH_STEADY_SECONDS ?? 300);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 10);
const KUBECTL_FOLDERS = Number(process.env.BENCH_KUBECTL ?? 30);
const KUBECTL = process.env.KUBECTL ?? "/usr/bin/kubectl";
const ROOT = path.resolve(import.meta.dirname, "..");
const ms = (n: number) => Math.round(n);
/** Node flags that write a worker's V8 CPU profile when it exits (BENCH_PROFILE). */
const PROFILE_ARGS = ["--cpu-prof", `--cpu-prof-dir=${path.join(ROOT, "bench", "results", "profiles")}`];
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const name = (i: number) => `f${String(i).padStart(4, "0")}`;

function objects(i: number, version: string) {
  const docs: unknown[] = [];
  for (let k = 0; k < 8; k++) docs.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${k}` }, data: { env: name(i), k: String(k), version } });
  for (let k = 0; k < 2; k++) {
    docs.push({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: `app-${k}` },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: `app-${k}` } },
        template: { metadata: { labels: { app: `app-${k}` } }, spec: { containers: [{ name: "c", image: "registry.example/app:1" }] } },
      },
    });
  }
  return docs.map((d) => stringify(d)).join("---\n");
}

function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c));
    child.stderr.on("data", (c: Buffer) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr, ms: performance.now() - t }));
  });
}

/** CPU seconds (user + system) and RSS (MiB) of a process, from /proc. */
function usage(pid: number) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const ticks = Number(stat[11]) + Number(stat[12]);
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
  return { cpu: ticks / 100, rss };
}

/** Jiffies the whole machine spent busy and in total, from /proc/stat (all cores). */
function machineCpu() {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}
const busyPct = (a: { busy: number; total: number }, b: { busy: number; total: number }) => ((b.busy - a.busy) / (b.total - a.total)) * 100;

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "tideline-bench-fleet-"));
  chmodSync(tmp, 0o755);
  const cleanups: Array<() => Promise<void> | void> = [];
  const workers: ChildProcess[] = [];
  const loadAtStart = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  try {
    const { freshDatabase } = await import("../support/stack");
    const { startGitServer } = await import("../support/git-server");
    const { runGit } = await import("../support/demo-repo");
    const { startTestbed } = await import("../scripts/testbed.mjs");
    const fresh = await freshDatabase({ dataDir: tmp, prefix: "bench_fleet" });
    cleanups.push(() => fresh.stop());
    Object.assign(process.env, { DATABASE_URL: fresh.url, TIDELINE_SECRET_KEY: randomBytes(32).toString("base64"), TIDELINE_DATA_DIR: path.join(tmp, "data") });
    const bedDir = path.join(tmp, "testbed");
    mkdirSync(bedDir);
    chmodSync(bedDir, 0o755);
    const tb = await startTestbed({ dir: bedDir, quiet: true });
    cleanups.push(() => tb.stop());
    const kubeconfig = readFileSync(tb.kubeconfigPath, "utf8");

    log(`Generating one repository with ${ENVS} environment folders x 10 objects`);
    const work = path.join(tmp, "work");
    await runGit(["init", "-q", "-b", "main", work]);
    for (let i = 0; i < ENVS; i++) {
      mkdirSync(path.join(work, "fleet", name(i)), { recursive: true });
      writeFileSync(path.join(work, "fleet", name(i), "objects.yaml"), objects(i, "1"));
    }
    const gitEnv = {
      ...process.env,
      GIT_AUTHOR_NAME: "Bench",
      GIT_AUTHOR_EMAIL: "b@example.com",
      GIT_COMMITTER_NAME: "Bench",
      GIT_COMMITTER_EMAIL: "b@example.com",
    };
    await runGit(["-C", work, "add", "-A"]);
    await runGit(["-C", work, "commit", "-q", "-m", "fleet"], { env: gitEnv });
    const gitRoot = path.join(tmp, "git");
    mkdirSync(gitRoot);
    await runGit(["clone", "-q", "--bare", work, path.join(gitRoot, "fleet.git")]);
    await runGit(["-C", work, "remote", "add", "served", path.join(gitRoot, "fleet.git")]);
    const server = await startGitServer({ root: gitRoot });
    cleanups.push(() => server.stop());

    const { db } = await import("../lib/db");
    const { fetchDeps, sealDeps, clusterDeps } = await import("../server/root");
    const { addRepository } = await import("../lib/repositories/add-repository");
    const { fetchRepository } = await import("../lib/repositories/fetch-repository");
    const { registerCluster } = await import("../lib/clusters/manage-clusters");
    const { createApplication, createEnvironment } = await import("../lib/environments/manage-environments");
    const { JobEngine, JOB_SCHEMA } = await import("../lib/jobs/engine");
    const prisma = db();
    cleanups.push(() => prisma.$disconnect());
    const engine = new JobEngine({ connectionString: fresh.url });
    await engine.start();
    cleanups.push(() => engine.stop({ graceful: false }));

    const repo = await addRepository(sealDeps(), { name: "fleet", url: `${server.url}/fleet.git` }, null);
    await fetchRepository(fetchDeps(), repo.id);
    const { cluster } = await registerCluster(clusterDeps(), {
      source: "kubeconfig",
      name: "bench",
      kubeconfig,
      context: parseYaml(kubeconfig)["current-context"],
    });
    const app = await createApplication(prisma, { name: "fleet" });
    const ids: string[] = [];
    for (let i = 0; i < ENVS; i++) {
      const e = await createEnvironment(prisma, path.join(tmp, "data", "mirrors"), app.id, {
        name: name(i),
        branch: "main",
        repositoryId: repo.id,
        clusterId: cluster.id,
        renderer: "plain",
        helmValuesFiles: [],
        path: `fleet/${name(i)}`,
        namespace: name(i),
      });
      ids.push(e.id);
    }
    log(`${ENVS} environments registered`);

    const startWorker = (label: string) => {
      const profile = process.env.BENCH_PROFILE === "1" && label === "w1" ? PROFILE_ARGS : [];
      const child = spawn(process.execPath, [...profile, "--conditions=react-server", "--import", "tsx", "server/worker-main.ts"], {
        cwd: ROOT,
        env: {
          ...process.env,
          TIDELINE_WORKER_NAME: label,
          TIDELINE_DATA_DIR: path.join(tmp, "data", label),
          TIDELINE_FETCH_INTERVAL_SECONDS: "0",
          TIDELINE_IMAGE_POLL_TICK_SECONDS: "0",
          TIDELINE_RECONCILE_INTERVAL_SECONDS: "0",
        },
        stdio: ["ignore", "ignore", "inherit"],
      });
      workers.push(child);
      return child;
    };
    const stopWorkers = async () => {
      for (const w of workers.splice(0)) {
        w.kill("SIGTERM");
        await new Promise((r) => w.once("exit", r));
      }
    };
    cleanups.push(stopWorkers);
    const queueAll = async (which: string[], reason: string) => {
      for (const environmentId of which) await engine.send("environment.work", { environmentId, reason });
    };
    const waitFor = async (what: string, check: () => Promise<boolean>, timeoutMs = 30 * 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(200);
      }
    };

    // a. cold: a fresh worker (empty caches) assesses the whole fleet.
    log("a. cold start -> every environment assessed (1 worker)");
    const t0 = performance.now();
    const w1 = startWorker("w1");
    await queueAll(ids, "bench: cold");
    await waitFor("every environment assessed", async () => (await prisma.environment.count({ where: { lastReconciledAt: null } })) === 0);
    const coldMs = performance.now() - t0;
    const coldRss = usage(w1.pid!).rss;

    // b. first full sync: half with one worker, half with three.
    const half = Math.floor(ENVS / 2);
    const first = ids.slice(0, half);
    const second = ids.slice(half);
    await prisma.environment.updateMany({ data: { autoSync: true, prune: true } });
    const synced = (which: string[]) => async () =>
      (await prisma.environment.count({ where: { id: { in: which }, syncStatus: "Synced", syncedRevision: { not: null } } })) === which.length;
    log(`b. first full sync of ${first.length} environments with 1 worker`);
    let t = performance.now();
    let m0 = machineCpu();
    await queueAll(first, "bench: first sync");
    await waitFor("first half synced", synced(first));
    const sync1Ms = performance.now() - t;
    const busy1 = busyPct(m0, machineCpu());
    log(`b. first full sync of ${second.length} environments with 3 workers`);
    startWorker("w2");
    startWorker("w3");
    await sleep(3000); // let them connect
    t = performance.now();
    m0 = machineCpu();
    await queueAll(second, "bench: first sync");
    await waitFor("second half synced", synced(second));
    const sync3Ms = performance.now() - t;
    const busy3 = busyPct(m0, machineCpu());
    await stopWorkers();

    // c. warm passes with one fresh worker: CPU per environment at 200 and at the whole fleet.
    const w = startWorker("w1");
    await sleep(3000);
    const warmPass = async (which: string[]) => {
      // Prime this process's caches (watch + render) first, then measure a pass with nothing changed.
      const since = new Date();
      await queueAll(which, "bench: warm");
      await waitFor(
        "warm pass",
        async () => (await prisma.environment.count({ where: { id: { in: which }, lastReconciledAt: { gte: since } } })) === which.length,
      );
      const before = usage(w.pid!);
      const since2 = new Date();
      const tw = performance.now();
      await queueAll(which, "bench: warm");
      await waitFor(
        "warm pass",
        async () => (await prisma.environment.count({ where: { id: { in: which }, lastReconciledAt: { gte: since2 } } })) === which.length,
      );
      const after = usage(w.pid!);
      return { wallMs: performance.now() - tw, cpuPerEnvMs: ((after.cpu - before.cpu) * 1000) / which.length, rss: after.rss };
    };
    log("c. warm pass, 200 environments");
    const warm200 = await warmPass(ids.slice(0, Math.min(200, ENVS)));
    log(`c. warm pass, ${ENVS} environments`);
    const warmAll = await warmPass(ids);

    // d. steady state: nothing changes; the default resync (300 s, spread) runs.
    await stopWorkers();
    process.env.TIDELINE_RECONCILE_INTERVAL_SECONDS = "300";
    const steadyProfile = process.env.BENCH_PROFILE === "steady" ? PROFILE_ARGS : [];
    const steadyWorker = spawn(process.execPath, [...steadyProfile, "--conditions=react-server", "--import", "tsx", "server/worker-main.ts"], {
      cwd: ROOT,
      env: {
        ...process.env,
        TIDELINE_WORKER_NAME: "steady",
        TIDELINE_DATA_DIR: path.join(tmp, "data", "w1"),
        TIDELINE_FETCH_INTERVAL_SECONDS: "0",
        TIDELINE_IMAGE_POLL_TICK_SECONDS: "0",
        TIDELINE_RECONCILE_INTERVAL_SECONDS: "300",
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    workers.push(steadyWorker);
    await sleep(20_000); // start-up: first LISTs, first sweep
    log(`d. steady state for ${STEADY_SECONDS} s`);
    const s0 = usage(steadyWorker.pid!);
    const st = performance.now();
    let peakRss = s0.rss;
    while (performance.now() - st < STEADY_SECONDS * 1000) {
      await sleep(5000);
      peakRss = Math.max(peakRss, usage(steadyWorker.pid!).rss);
    }
    const s1 = usage(steadyWorker.pid!);
    const steadyCpuPct = ((s1.cpu - s0.cpu) / ((performance.now() - st) / 1000)) * 100;
    // What the worker did in the window: jobs started per queue (pg-boss's job table).
    const steadyJobs = await prisma.$queryRawUnsafe<Array<{ name: string; n: bigint }>>(
      `SELECT name, count(*) AS n FROM ${JOB_SCHEMA}.job WHERE started_on >= $1 GROUP BY name ORDER BY n DESC`,
      new Date(Date.now() - (performance.now() - st)),
    );
    const steadyJobSummary = steadyJobs.map((j) => `${j.name} ${j.n}`).join(", ") || "none";
    log(`d. jobs started during the steady window: ${steadyJobSummary}`);

    // e. one commit touching one environment, announced like a webhook (a fetch job).
    log(`e. one commit touching one environment -> OutOfSync seen, Synced; ${TRIALS} trials`);
    const seen: number[] = [];
    const done: number[] = [];
    for (let k = 0; k < TRIALS; k++) {
      const i = k % ENVS;
      writeFileSync(path.join(work, "fleet", name(i), "objects.yaml"), objects(i, `trial-${k}`));
      await runGit(["-C", work, "commit", "-q", "-am", `trial ${k}`], { env: gitEnv });
      const sha = (await runGit(["-C", work, "rev-parse", "HEAD"])).trim();
      await runGit(["-C", work, "push", "-q", "served", "main"]);
      const tc = performance.now();
      await engine.send("repository.fetch", { repositoryId: repo.id, reason: "bench: push" });
      let sawAt = 0;
      await waitFor(
        "commit synced",
        async () => {
          const e = await prisma.environment.findUniqueOrThrow({ where: { id: ids[i]! }, select: { desiredRevision: true, syncedRevision: true } });
          if (!sawAt && e.desiredRevision === sha) sawAt = performance.now();
          return e.syncedRevision === sha;
        },
        60_000,
      );
      seen.push((sawAt || performance.now()) - tc);
      done.push(performance.now() - tc);
    }
    await stopWorkers();

    // Baseline: kubectl on the same folders, in a loop (a sample of the fleet, extrapolated).
    log(`baseline: kubectl diff/apply --server-side of ${KUBECTL_FOLDERS} folders`);
    const kcfg = tb.kubeconfigPath;
    let diffMs = 0;
    let applyMs = 0;
    for (let i = 0; i < KUBECTL_FOLDERS; i++) {
      const dir = path.join(work, "fleet", name(i));
      diffMs += (await run(KUBECTL, ["--kubeconfig", kcfg, "diff", "--server-side", "-n", name(i), "-f", dir])).ms;
      const ns = `kc-${name(i)}`;
      await run(KUBECTL, ["--kubeconfig", kcfg, "create", "namespace", ns]);
      applyMs += (await run(KUBECTL, ["--kubeconfig", kcfg, "apply", "--server-side", "-n", ns, "-f", dir])).ms;
    }
    const perDiff = diffMs / KUBECTL_FOLDERS;
    const perApply = applyMs / KUBECTL_FOLDERS;

    const s = (xs: number[]) => stats(xs, ms);
    console.log(`\nFleet benchmark: ${ENVS} environments x 10 objects (${ENVS * 10} objects), one repository, dedicated test bed`);
    console.log(
      `Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model}), ${Math.round(os.totalmem() / 2 ** 30)} GiB; load at start ${loadAtStart}, at end ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}\n`,
    );
    console.log(
      table(
        ["measure", "Tideline", `kubectl loop (${KUBECTL_FOLDERS} folders, x${ENVS / KUBECTL_FOLDERS} extrapolated)`, "target"],
        [
          ["a. cold start -> fleet assessed (1 worker)", `${(coldMs / 1000).toFixed(1)} s`, `${((perDiff * ENVS) / 1000).toFixed(1)} s (diff)`, "< 60 s"],
          [
            `b. first full sync, ${first.length} envs, 1 worker`,
            `${(sync1Ms / 1000).toFixed(1)} s (${((first.length / sync1Ms) * 1000).toFixed(1)} envs/s)`,
            `${((perApply * first.length) / 1000).toFixed(1)} s (apply)`,
            "",
          ],
          [
            `b. first full sync, ${second.length} envs, 3 workers`,
            `${(sync3Ms / 1000).toFixed(1)} s (${((second.length / sync3Ms) * 1000).toFixed(1)} envs/s)`,
            `${((perApply * second.length) / 1000).toFixed(1)} s (apply)`,
            "3 workers >= 2x",
          ],
          [
            "c. warm pass CPU per environment, 200 envs",
            `${warm200.cpuPerEnvMs.toFixed(2)} ms (pass ${(warm200.wallMs / 1000).toFixed(1)} s)`,
            "",
            "independent of size",
          ],
          [
            `c. warm pass CPU per environment, ${ENVS} envs`,
            `${warmAll.cpuPerEnvMs.toFixed(2)} ms (pass ${(warmAll.wallMs / 1000).toFixed(1)} s)`,
            `${perDiff.toFixed(0)} ms per folder (diff)`,
            "",
          ],
          [`d. steady state CPU (${STEADY_SECONDS} s, resync 300 s)`, `${steadyCpuPct.toFixed(2)} % of one core`, "", "< 5 %"],
          ["d. worker RSS (cold / warm / steady peak)", `${coldRss.toFixed(0)} / ${warmAll.rss.toFixed(0)} / ${peakRss.toFixed(0)} MiB`, "", "< 1024 MiB"],
          ["e. one commit -> OutOfSync seen (p50 / p95)", `${s(seen).p50} / ${s(seen).p95} ms`, "", "p50 < 2 s"],
          ["e. one commit -> Synced (p50 / p95)", `${s(done).p50} / ${s(done).p95} ms`, "", ""],
        ],
      ),
    );
    console.log(
      `\nSpeed-up of 3 workers over 1: ${(sync1Ms / first.length / (sync3Ms / second.length)).toFixed(2)}x. The machine's ${os.cpus().length} cores were ${busy1.toFixed(0)} % busy during the 1-worker sync and ${busy3.toFixed(0)} % during the 3-worker one (workers, API server, Postgres and this script share them).`,
    );
    console.log(`Jobs started during the steady window: ${steadyJobSummary}.`);
    console.log("Reference (not run here): Flux's published benchmark, 1,000 Kustomizations in 4m13s, 223 MiB, on a 16-core runner.");
  } finally {
    await runCleanups(cleanups, tmp, process.env.BENCH_KEEP === "1");
  }
}

await main();
process.exit(0);

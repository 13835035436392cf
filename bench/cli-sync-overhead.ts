// What `tideline sync ENV --wait` adds over the sync itself, on a real stack (embedded Postgres,
// git http-backend, a dedicated test bed, the job worker, the real route handlers over HTTP):
//
//   baseline: the direct API calls a script would make — POST /api/environments/:id/sync, then
//             GET /api/sync-runs/:id every 200 ms (the CLI's interval) until the run finished
//   CLI:      `tideline sync APP/ENV --wait` as a child process (cli/bin.mjs on the project's
//             Node: start-up, name -> id lookup, the same POST and polling, progress output)
//
// Both sync the same environment (10 ConfigMaps, one drifted before every sync so each run
// applies one object), interleaved so load drifts hit both alike. Also shown: the CLI's bare
// start-up (`--version`) and what `npx` adds in front of it.
//
//   npm run bench:cli                                  # BENCH_RUNS=20
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { log, runCleanups, stats, table, writeResults } from "./lib/report";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const OBJECTS = 10;
const POLL_MS = 200;
const ms = (n: number) => Math.round(n * 10) / 10;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd: os.tmpdir() });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
    child.stdin.end();
  });
}

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "tideline-bench-cli-"));
  chmodSync(tmp, 0o755);
  const cleanups: Array<() => Promise<void> | void> = [];
  const results: Record<string, unknown> = {
    runs: RUNS,
    objects: OBJECTS,
    pollMs: POLL_MS,
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    loadBefore: os.loadavg(),
  };
  try {
    log("Building the CLI bundle");
    const build = await run(process.execPath, [path.join(ROOT, "scripts/build-cli.mjs"), "--quiet"], process.env);
    if (build.code !== 0) throw new Error(`build:cli failed: ${build.stderr}`);

    const { freshDatabase } = await import("../support/stack");
    const { startGitServer } = await import("../support/git-server");
    const { runGit } = await import("../support/demo-repo");
    const { startTestbed } = await import("../scripts/testbed.mjs");
    const fresh = await freshDatabase({ dataDir: tmp, prefix: "tideline_bench" });
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
    const { fetchDeps, sealDeps, clusterDeps, promotionDeps } = await import("../server/root");
    const { addRepository } = await import("../lib/repositories/add-repository");
    const { fetchRepository } = await import("../lib/repositories/fetch-repository");
    const { registerCluster } = await import("../lib/clusters/manage-clusters");
    const { createApplication, createEnvironment } = await import("../lib/environments/manage-environments");
    const { createUser } = await import("../lib/users/manage-users");
    const { createApiToken } = await import("../lib/auth/api-tokens");
    const { clientFromKubeconfig, kubeRequest } = await import("../lib/kube/transport");
    const { startWorker, stopWorker } = await import("../server/worker");
    const { startApiServer } = await import("../support/api-server");
    await startWorker({ periodic: false }); // the sync runs as a job, like in the product
    cleanups.push(() => stopWorker());
    const prisma = db();
    cleanups.push(() => prisma.$disconnect());
    const server = await startApiServer();
    cleanups.push(() => server.stop());

    log(`A repository with ${OBJECTS} ConfigMaps, an application and one environment`);
    const src = path.join(tmp, "src");
    mkdirSync(path.join(src, "bench"), { recursive: true });
    for (let i = 0; i < OBJECTS; i++)
      writeFileSync(path.join(src, "bench", `cm-${i}.yaml`), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\ndata:\n  value: "${i}"\n`);
    const gitEnv = { GIT_AUTHOR_NAME: "Bench", GIT_AUTHOR_EMAIL: "bench@example.com", GIT_COMMITTER_NAME: "Bench", GIT_COMMITTER_EMAIL: "bench@example.com" };
    await runGit(["init", "-q", "-b", "main", src]);
    await runGit(["-C", src, "add", "-A"]);
    await runGit(["-C", src, "commit", "-q", "-m", "bench"], { env: gitEnv });
    const gitRoot = path.join(tmp, "git");
    mkdirSync(gitRoot);
    await runGit(["clone", "-q", "--bare", src, path.join(gitRoot, "bench.git")]);
    const git = await startGitServer({ root: gitRoot });
    cleanups.push(() => git.stop());
    const repo = await addRepository(sealDeps(), { name: "bench", url: `${git.url}/bench.git` }, null);
    await fetchRepository(fetchDeps(), repo.id);
    const { cluster } = await registerCluster(clusterDeps(), {
      source: "kubeconfig",
      name: "testbed",
      kubeconfig,
      context: parseYaml(kubeconfig)["current-context"],
    });
    const app = await createApplication(prisma, { name: "bench" });
    const env = await createEnvironment(prisma, promotionDeps().mirrorsDir, app.id, {
      name: "dev",
      repositoryId: repo.id,
      branch: "main",
      path: "bench",
      clusterId: cluster.id,
      namespace: "bench-cli",
      renderer: "auto",
      helmValuesFiles: [],
    });
    const user = await createUser(prisma, { username: "bench", password: "bench password 123", role: "developer" });
    const { token } = await createApiToken(prisma, user, { name: "bench", scopes: ["application.read", "environment.sync"], expiresInDays: 1 });
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const kube = clientFromKubeconfig("testbed", kubeconfig);
    let drift = 0;
    // Each sync has one object to apply: a ConfigMap changed behind Tideline's back.
    const drifted = () =>
      kubeRequest(kube, "PATCH", "/api/v1/namespaces/bench-cli/configmaps/cm-0", {
        body: { data: { value: `drift-${++drift}` } },
        contentType: "application/merge-patch+json",
      });

    /** How long the run itself took on the server: queued (the POST) to finished. */
    const span = async (runId: string) => {
      const r = await prisma.syncRun.findUniqueOrThrow({ where: { id: runId } });
      return r.finishedAt!.getTime() - r.startedAt.getTime();
    };
    /** The baseline: what a script does with the API alone. */
    async function direct(): Promise<{ ms: number; status: string; runId: string }> {
      const started = performance.now();
      const res = await fetch(`${server.url}/api/environments/${env.id}/sync`, { method: "POST", headers, body: "{}" });
      if (res.status !== 202) throw new Error(`POST sync answered ${res.status}: ${await res.text()}`);
      const { runId } = (await res.json()) as { runId: string };
      for (;;) {
        const { run } = (await (await fetch(`${server.url}/api/sync-runs/${runId}`, { headers })).json()) as { run: { status: string } };
        if (!["queued", "running"].includes(run.status)) return { ms: performance.now() - started, status: run.status, runId };
        await sleep(POLL_MS);
      }
    }
    const cliEnv = { PATH: process.env.PATH, HOME: tmp, TIDELINE_SERVER: server.url, TIDELINE_TOKEN: token } as unknown as NodeJS.ProcessEnv;
    const cli = async () => {
      const r = await run(process.execPath, [path.join(ROOT, "cli/bin.mjs"), "sync", "bench/dev", "--wait"], cliEnv);
      if (r.code !== 0) throw new Error(`tideline sync exited ${r.code}: ${r.stderr}`);
      return { ...r, runId: r.stdout.match(/requested\s+sync run (\S+) of/)![1]! };
    };

    log("First sync (namespace and objects created), untimed");
    const first = await direct();
    if (first.status !== "succeeded") throw new Error(`the first sync ${first.status}`);
    await drifted();
    await cli();
    await drifted();
    await direct();

    log(`Timing ${RUNS} syncs each way, interleaved`);
    const api: number[] = [];
    const viaCli: number[] = [];
    // Wall time minus the run's own span on the server: what the client adds around the sync.
    const apiAround: number[] = [];
    const cliAround: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const order = i % 2 === 0 ? ["api", "cli"] : ["cli", "api"];
      for (const way of order) {
        await drifted();
        if (way === "api") {
          const r = await direct();
          if (r.status !== "succeeded") throw new Error(`sync ${r.status}`);
          api.push(r.ms);
          apiAround.push(r.ms - (await span(r.runId)));
        } else {
          const r = await cli();
          viaCli.push(r.ms);
          cliAround.push(r.ms - (await span(r.runId)));
        }
      }
    }
    const applied = await prisma.syncRun.count({ where: { environmentId: env.id, status: "succeeded" } });

    log("CLI start-up alone");
    const version: number[] = [];
    const npx: number[] = [];
    for (let i = 0; i < 10; i++) version.push((await run(process.execPath, [path.join(ROOT, "cli/bin.mjs"), "--version"], cliEnv)).ms);
    for (let i = 0; i < 5; i++) npx.push((await run("npx", ["--no-install", "tideline", "--version"], { ...process.env, HOME: process.env.HOME })).ms);

    const round = (n: number) => ms(n);
    const a = stats(api, round);
    const c = stats(viaCli, round);
    const v = stats(version, round);
    const n = stats(npx, round);
    const overhead = { median: ms(c.median - a.median), p95: ms(c.p95 - a.p95) };
    const aa = stats(apiAround, round);
    const ca = stats(cliAround, round);
    const overheadAround = { median: ms(ca.median - aa.median), p95: ms(ca.p95 - aa.p95) };
    console.log(`\n\`tideline sync --wait\` vs the direct API calls, same environment (${OBJECTS} ConfigMaps, 1 applied per sync), ${RUNS} runs each`);
    console.log(
      `Node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}; load ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(" ")}\n`,
    );
    console.log(
      table(
        ["", "median", "p95", "min", "max"],
        [
          ["direct API: POST sync + poll run (baseline)", `${a.median} ms`, `${a.p95} ms`, `${a.min} ms`, `${a.max} ms`],
          ["tideline sync ENV --wait (child process)", `${c.median} ms`, `${c.p95} ms`, `${c.min} ms`, `${c.max} ms`],
          ["overhead of the CLI (wall)", `${overhead.median} ms`, `${overhead.p95} ms`, "", ""],
          ["direct API, wall minus the run's span", `${aa.median} ms`, `${aa.p95} ms`, `${aa.min} ms`, `${aa.max} ms`],
          ["CLI, wall minus the run's span", `${ca.median} ms`, `${ca.p95} ms`, `${ca.min} ms`, `${ca.max} ms`],
          ["overhead of the CLI (around the run)", `${overheadAround.median} ms`, `${overheadAround.p95} ms`, "", ""],
          ["tideline --version (start-up alone)", `${v.median} ms`, `${v.p95} ms`, `${v.min} ms`, `${v.max} ms`],
          ["npx tideline --version (npm in front)", `${n.median} ms`, `${n.p95} ms`, `${n.min} ms`, `${n.max} ms`],
        ],
      ),
    );
    console.log(
      `\nTarget: < 300 ms over the sync itself -> wall: ${overhead.median < 300 ? "met" : "NOT met"}, around the run: ${overheadAround.median < 300 ? "met" : "NOT met"} (medians)`,
    );
    Object.assign(results, {
      api: a,
      cli: c,
      overhead,
      apiAroundRun: aa,
      cliAroundRun: ca,
      overheadAroundRun: overheadAround,
      startup: v,
      npxStartup: n,
      succeededRuns: applied,
      loadAfter: os.loadavg(),
    });
    writeResults(ROOT, "cli-sync-overhead", results);
  } finally {
    await runCleanups(cleanups, tmp, false);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

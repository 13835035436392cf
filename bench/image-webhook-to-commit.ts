// Image automation latency: an image pushed to a real registry (Distribution) -> webhook -> commit
// visible in the Git server's repository -> environment synced in a dedicated test bed (real
// kube-apiserver). Two triggers: a CI job's webhook (simple JSON, API token) and the registry's
// own push notification. Baselines measured in the same run, on the same machine:
//
//   a. polling every 30 s instead of webhooks: expected latency = uniform wait (0-30 s) + a measured
//      poll-triggered check (list tags, commit, push)
//   b. a CI job doing the edit itself: git clone --depth 1 + sed + git commit + git push (shell)
//
//   npx tsx --conditions=react-server bench/image-webhook-to-commit.ts                       # 15 trials per trigger
//   BENCH_TRIALS=5 BENCH_NOTIFY_TRIALS=3 npx tsx --conditions=react-server bench/image-webhook-to-commit.ts   # quick run
//
// Optional env: BENCH_TRIALS (15), BENCH_NOTIFY_TRIALS (8), BENCH_POLL_SAMPLES (5), BENCH_KEEP=1,
// DATABASE_URL (a fresh database is created in that server instead of embedded Postgres).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { log, runCleanups, stats, table, timed, writeResults, type Stats } from "./lib/report";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const TRIALS = Number(process.env.BENCH_TRIALS ?? 15);
const NOTIFY_TRIALS = Number(process.env.BENCH_NOTIFY_TRIALS ?? 8);
const POLL_SAMPLES = Number(process.env.BENCH_POLL_SAMPLES ?? 5);
const POLL_INTERVAL_S = 30;
const KEEP = process.env.BENCH_KEEP === "1";
const REPO = "team/guestbook";
const NS = "bench-images";

const ms = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const fmtMs = (n: number) =>
  !Number.isFinite(n) ? "n/a" : n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${ms(n)} ms`;

function sh(script: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("sh", ["-c", script], { env, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`sh failed (${code}): ${err.slice(0, 1000)}`))));
  });
}

/** The branch head as the Git server stores it (loose ref, else packed-refs): cheap to poll. */
function readRef(bare: string, branch: string): string | null {
  const loose = path.join(bare, "refs", "heads", branch);
  if (existsSync(loose)) return readFileSync(loose, "utf8").trim();
  const packed = path.join(bare, "packed-refs");
  if (!existsSync(packed)) return null;
  const line = readFileSync(packed, "utf8")
    .split("\n")
    .find((l) => l.endsWith(` refs/heads/${branch}`));
  return line ? line.split(" ")[0]! : null;
}

async function waitFor<T>(fn: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs: number, everyMs: number): Promise<{ value: T; at: number }> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (ok(value)) return { value, at: performance.now() };
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "tideline-bench-images-"));
  chmodSync(tmp, 0o755); // embedded Postgres runs as the postgres user when we are root
  const cleanups: Array<() => Promise<void> | void> = [];
  const loadAtStart = os.loadavg().map(round2);
  const externalDb = Boolean(process.env.DATABASE_URL);
  try {
    const { freshDatabase } = await import("../support/stack");
    const { startGitServer } = await import("../support/git-server");
    const { commitFile, runGit } = await import("../support/demo-repo");
    const { startRegistry } = await import("../support/registry");
    const { startTestbed } = await import("../scripts/testbed.mjs");

    log(process.env.DATABASE_URL ? "Using DATABASE_URL (fresh database)" : "Starting embedded PostgreSQL");
    const fresh = await freshDatabase({ dataDir: tmp, prefix: "tideline_bench_images" });
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
    const { fetchDeps, sealDeps, clusterDeps, imageDeps, reconcileDeps } = await import("../server/root");
    const { addRepository } = await import("../lib/repositories/add-repository");
    const { fetchRepository } = await import("../lib/repositories/fetch-repository");
    const { registerCluster } = await import("../lib/clusters/manage-clusters");
    const { createApplication, createEnvironment } = await import("../lib/environments/manage-environments");
    const { reconcileEnvironment } = await import("../lib/reconcile/reconcile-environment");
    const { createUser } = await import("../lib/users/manage-users");
    const { createApiToken } = await import("../lib/auth/api-tokens");
    const { createPolicy } = await import("../lib/images/policies");
    const { checkPolicy } = await import("../lib/images/automation");
    const { handleImageWebhook } = await import("../lib/images/automation-webhook");
    const prisma = db();
    cleanups.push(() => prisma.$disconnect());

    // Tideline's webhook endpoint, served by this process (the same handler the Next route calls).
    let acceptRegistry = false;
    const hook = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", async () => {
        const fromRegistry = String(req.headers["content-type"] ?? "").includes("distribution.events");
        if (fromRegistry && !acceptRegistry) return void res.writeHead(200).end();
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
        const answer = await handleImageWebhook(
          imageDeps(),
          new Request(`http://127.0.0.1${req.url}`, { method: "POST", headers, body: Buffer.concat(chunks) }),
        );
        res.writeHead(answer.status, { "content-type": "application/json" }).end(await answer.text());
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => hook.close(() => r())));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/api/webhooks/images`;

    const admin = await createUser(prisma, { username: "bench-admin", password: "bench-password-123", role: "admin" });
    const { token } = await createApiToken(prisma, admin, { name: "ci", scopes: ["image.manage"], expiresInDays: 1 });
    const registry = await startRegistry({ notifyUrl: hookUrl, notifyHeaders: { Authorization: `Bearer ${token}` } });
    cleanups.push(() => registry.stop());
    await registry.pushImage(REPO, "1.0.0");
    const image = `${registry.host}/${REPO}`;

    // A small config repository: one Kustomize folder deploying the image from this registry.
    const gitRoot = path.join(tmp, "git");
    mkdirSync(gitRoot);
    const bare = path.join(gitRoot, "config.git");
    await runGit(["init", "--bare", "-q", "-b", "main", bare]);
    const deployment = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: guestbook\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: guestbook\n  template:\n    metadata:\n      labels:\n        app: guestbook\n    spec:\n      containers:\n        - name: guestbook\n          image: ghcr.io/example/guestbook:0.1.0\n`;
    await commitFile(bare, { branch: "main", path: "apps/guestbook/deployment.yaml", content: deployment, message: "deployment" });
    await commitFile(bare, {
      branch: "main",
      path: "apps/guestbook/kustomization.yaml",
      message: "kustomization",
      content: `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${NS}\nresources:\n  - deployment.yaml\nimages:\n  - name: ghcr.io/example/guestbook\n    newName: ${image}\n    newTag: 1.0.0\n`,
    });
    const server = await startGitServer({ root: gitRoot });
    cleanups.push(() => server.stop());
    const repo = await addRepository(sealDeps(), { name: "config", url: `${server.url}/config.git` }, null);
    await fetchRepository(fetchDeps(), repo.id);
    const { cluster } = await registerCluster(clusterDeps(), {
      source: "kubeconfig",
      name: "testbed",
      kubeconfig,
      context: parseYaml(kubeconfig)["current-context"],
    });
    const app = await createApplication(prisma, { name: "guestbook" });
    const env = await createEnvironment(prisma, reconcileDeps().mirrorsDir, app.id, {
      name: "prod",
      repositoryId: repo.id,
      branch: "main",
      path: "apps/guestbook",
      clusterId: cluster.id,
      namespace: NS,
      renderer: "auto",
      helmValuesFiles: [],
      autoSync: true,
    });
    const first = await reconcileEnvironment(reconcileDeps(), env.id);
    log(`Environment deployed at 1.0.0: ${first.ran ? first.synced?.status : "lease busy"}`);
    const policy = await createPolicy(sealDeps(), {
      name: "guestbook",
      image,
      insecure: false,
      policy: { type: "semver", range: ">=1.0.0" },
      allowDowngrade: false,
      writeMode: "commit",
      intervalSeconds: 300,
      environmentIds: [env.id],
    });

    const syncedRevision = async () => (await prisma.environment.findUniqueOrThrow({ where: { id: env.id }, select: { syncedRevision: true } })).syncedRevision;

    /** One push: returns timestamps relative to the start of the image push. */
    const trial = async (tag: string, via: "ci" | "registry") => {
      const before = readRef(bare, "main");
      const t0 = performance.now();
      const visible = waitFor(
        () => readRef(bare, "main"),
        (sha) => sha !== before,
        60_000,
        5,
      );
      await registry.pushImage(REPO, tag);
      const pushed = performance.now();
      let answered = NaN;
      if (via === "ci") {
        const res = await fetch(hookUrl, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ image: `${image}:${tag}` }),
        });
        const body = (await res.json()) as { policies?: Array<{ environments: Array<{ status: string }> }> };
        answered = performance.now();
        if (res.status !== 202 || body.policies?.[0]?.environments[0]?.status !== "committed")
          throw new Error(`webhook answered ${res.status}: ${JSON.stringify(body).slice(0, 500)}`);
      }
      const commit = await visible;
      const synced = await waitFor(syncedRevision, (rev) => rev === commit.value, 120_000, 25);
      const text = await runGit([`--git-dir=${bare}`, "show", `${commit.value}:apps/guestbook/kustomization.yaml`]);
      if (!text.includes(`newTag: ${tag}`)) throw new Error(`commit ${commit.value} does not set ${tag}`);
      await sleep(300); // let the reconcile that follows the sync settle before the next push
      return {
        push: pushed - t0,
        commit: commit.at - t0,
        hookToCommit: commit.at - pushed,
        answer: answered - pushed,
        synced: synced.at - t0,
        commitToSynced: synced.at - commit.at,
      };
    };

    log(`CI webhook: ${TRIALS} trials (push -> POST /api/webhooks/images -> commit -> synced)`);
    const ci: Array<Awaited<ReturnType<typeof trial>>> = [];
    for (let i = 1; i <= TRIALS; i++) {
      ci.push(await trial(`1.${i}.0`, "ci"));
      log(`  1.${i}.0: commit visible after ${fmtMs(ci.at(-1)!.commit)}, synced after ${fmtMs(ci.at(-1)!.synced)}`);
    }
    log(`Registry notification: ${NOTIFY_TRIALS} trials (push -> registry POSTs its envelope -> commit -> synced)`);
    acceptRegistry = true;
    const notified: typeof ci = [];
    for (let i = 1; i <= NOTIFY_TRIALS; i++) {
      notified.push(await trial(`2.${i}.0`, "registry"));
      log(`  2.${i}.0: commit visible after ${fmtMs(notified.at(-1)!.commit)}, synced after ${fmtMs(notified.at(-1)!.synced)}`);
    }
    acceptRegistry = false;

    log(`Poll-triggered checks: ${POLL_SAMPLES} samples (list tags, commit, push) for the 30 s polling baseline`);
    const pollCheck: number[] = [];
    for (let i = 1; i <= POLL_SAMPLES; i++) {
      await registry.pushImage(REPO, `3.${i}.0`);
      const run = await timed(() => checkPolicy(imageDeps(), policy.id, { trigger: "poll" }));
      if (run.value.environments[0]?.status !== "committed") throw new Error(`poll check: ${JSON.stringify(run.value.environments)}`);
      pollCheck.push(run.ms);
      await waitFor(syncedRevision, (rev) => rev === run.value.environments[0]!.commitSha, 120_000, 25);
      await sleep(300);
    }

    log(`Shell baseline: ${TRIALS} x (git clone --depth 1 + sed + git commit + git push)`);
    const shell: number[] = [];
    const gitEnv = {
      ...process.env,
      GIT_AUTHOR_NAME: "CI",
      GIT_AUTHOR_EMAIL: "ci@example.com",
      GIT_COMMITTER_NAME: "CI",
      GIT_COMMITTER_EMAIL: "ci@example.com",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: os.devNull,
      GIT_TERMINAL_PROMPT: "0",
    };
    for (let i = 1; i <= TRIALS; i++) {
      const dir = path.join(tmp, `clone-${i}`);
      shell.push(
        await sh(
          `git clone -q --depth 1 ${server.url}/config.git ${dir} && cd ${dir} && sed -i 's/newTag: .*/newTag: 4.${i}.0/' apps/guestbook/kustomization.yaml && git commit -q -am 'chore(images): guestbook 4.${i}.0' && git push -q origin main`,
          gitEnv,
        ),
      );
    }

    const s = (xs: number[]) => stats(xs, ms);
    const ciCommit = s(ci.map((t) => t.commit));
    const ciSynced = s(ci.map((t) => t.synced));
    const syncAfterCommit = s(ci.map((t) => t.commitToSynced));
    const poll = s(pollCheck);
    // Polling: a push lands uniformly within the interval, so the wait is U(0, 30 s).
    const pollExpected = { p50: (POLL_INTERVAL_S * 1000) / 2 + poll.p50, p95: POLL_INTERVAL_S * 950 + poll.p95, max: POLL_INTERVAL_S * 1000 + poll.max };
    const row = (label: string, st: Stats | { p50: number; p95: number; max: number }, runs: number | string) => [
      label,
      fmtMs(st.p50),
      fmtMs(st.p95),
      fmtMs(st.max),
      runs,
    ];
    const out: string[] = [];
    out.push(`\n## Image automation: push -> webhook -> commit -> synced\n`);
    out.push(
      `Machine: ${os.cpus().length} CPU(s), load average at start ${loadAtStart.join(" ")}, at end ${os.loadavg().map(round2).join(" ")} (figures move with other load)`,
    );
    out.push(
      `Registry: Debian docker-registry (Distribution 2.8) at ${registry.host}; Git: git http-backend; cluster: dedicated test bed; Postgres: ${externalDb ? "DATABASE_URL" : "embedded"}\n`,
    );
    out.push(
      table(
        ["Path", "p50", "p95", "max", "runs"],
        [
          row("CI webhook: image push -> commit visible in the Git server", ciCommit, TRIALS),
          row("    image push to the registry (pushImage)", s(ci.map((t) => t.push)), ""),
          row("    webhook POST -> commit visible", s(ci.map((t) => t.hookToCommit)), ""),
          row("    webhook POST -> 202 answer (includes mirror index + reconcile scheduling)", s(ci.map((t) => t.answer)), ""),
          row("CI webhook: image push -> environment synced in the test bed", ciSynced, TRIALS),
          row("    commit -> synced (fetch, render, apply, Deployment healthy)", syncAfterCommit, ""),
          row("Registry notification: image push -> commit visible", s(notified.map((t) => t.commit)), NOTIFY_TRIALS),
          row("Registry notification: image push -> environment synced", s(notified.map((t) => t.synced)), NOTIFY_TRIALS),
          row(
            `Baseline: poll every ${POLL_INTERVAL_S} s, push -> commit (expected: U(0,${POLL_INTERVAL_S} s) + check)`,
            pollExpected,
            `${POLL_SAMPLES} checks`,
          ),
          row(
            `Baseline: poll every ${POLL_INTERVAL_S} s, push -> synced (expected)`,
            { p50: pollExpected.p50 + syncAfterCommit.p50, p95: pollExpected.p95 + syncAfterCommit.p95, max: pollExpected.max + syncAfterCommit.max },
            "",
          ),
          row("    one poll-triggered check (list tags, commit, push, index), measured", poll, POLL_SAMPLES),
          row("Baseline: shell git clone --depth 1 + sed + commit + push (edit only)", s(shell), TRIALS),
        ],
      ),
    );
    out.push(`\nTarget: CI webhook push -> commit p50 < 2 s: ${ciCommit.p50 < 2000 ? "met" : "MISSED"} (${fmtMs(ciCommit.p50)}).`);
    out.push(
      "The shell baseline only edits and pushes (no registry query, no tag policy, no conflict retry, no record of the update); it is what a CI job doing the bump itself costs after the push.",
    );
    console.log(out.join("\n"));
    writeResults(ROOT, "image-webhook-to-commit", {
      config: { TRIALS, NOTIFY_TRIALS, POLL_SAMPLES, POLL_INTERVAL_S },
      loadAtStart,
      loadAtEnd: os.loadavg().map(round2),
      ci,
      notified,
      pollCheck,
      shell,
      summary: { ciCommit, ciSynced, syncAfterCommit, poll, pollExpected },
    });
  } finally {
    await runCleanups(cleanups, tmp, KEEP);
  }
}

await main();
process.exit(0);

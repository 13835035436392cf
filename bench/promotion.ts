// Promotion benchmark on a real stack (embedded Postgres, git http-backend, a dedicated test
// bed): an application whose kustomize overlays set 50 image references.
//
//   a. promotion preview dev -> prod (file changes in prod's kustomization + server-side
//      dry-run object diff of the 50 Deployments)    vs  by hand: 50x `kustomize edit set image`
//      in a clone, `kustomize build`, `kubectl diff --server-side`
//   b. protected prod: last approval -> change request merged -> prod synced and healthy
//
//   npx tsx --conditions=react-server bench/promotion.ts                     # BENCH_IMAGES=50 BENCH_RUNS=10
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { log, runCleanups, stats, table, timed, writeResults } from "./lib/report";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const IMAGES = Number(process.env.BENCH_IMAGES ?? 50);
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const WAIT_MS = Number(process.env.BENCH_WAIT_MS ?? 300_000);
const KUBECTL = process.env.KUBECTL ?? "/usr/bin/kubectl";
const ms = (n: number) => Math.round(n * 10) / 10;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; okCodes?: number[] } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      (opts.okCodes ?? [0]).includes(code ?? -1) ? resolve(out) : reject(new Error(`${cmd} ${args.join(" ")} (${code}): ${err.slice(0, 800)}`)),
    );
    child.stdin.on("error", () => {});
    child.stdin.end(opts.input ?? "");
  });
}

const svc = (i: number) => `svc-${String(i).padStart(2, "0")}`;

function writeRepo(dir: string) {
  const base = path.join(dir, "apps/fleet/base");
  mkdirSync(base, { recursive: true });
  const resources: string[] = [];
  for (let i = 0; i < IMAGES; i++) {
    resources.push(`${svc(i)}.yaml`);
    writeFileSync(
      path.join(base, `${svc(i)}.yaml`),
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${svc(i)}
spec:
  replicas: 0
  selector:
    matchLabels: { app: ${svc(i)} }
  template:
    metadata:
      labels: { app: ${svc(i)} }
    spec:
      containers:
        - name: app
          image: registry.example.com/team/${svc(i)}:1.0.0
`,
    );
  }
  writeFileSync(
    path.join(base, "kustomization.yaml"),
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${resources.map((r) => `  - ${r}`).join("\n")}\n`,
  );
  for (const [env, tag] of [
    ["dev", "1.1.0"],
    ["prod", "1.0.0"],
  ] as const) {
    const overlay = path.join(dir, `apps/fleet/overlays/${env}`);
    mkdirSync(overlay, { recursive: true });
    const images = Array.from({ length: IMAGES }, (_, i) => `  - name: registry.example.com/team/${svc(i)}\n    newTag: "${tag}"`).join("\n");
    writeFileSync(
      path.join(overlay, "kustomization.yaml"),
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../base\nimages:\n${images}\n`,
    );
  }
}

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "tideline-bench-promo-"));
  chmodSync(tmp, 0o755);
  const cleanups: Array<() => Promise<void> | void> = [];
  const results: Record<string, unknown> = { images: IMAGES, runs: RUNS, load: os.loadavg() };
  try {
    const { freshDatabase } = await import("../support/stack");
    const { startGitServer } = await import("../support/git-server");
    const { runGit } = await import("../support/demo-repo");
    const { startTestbed, KUSTOMIZE_BIN } = await import("../scripts/testbed.mjs");
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
    const { fetchDeps, sealDeps, clusterDeps } = await import("../server/root");
    const { addRepository } = await import("../lib/repositories/add-repository");
    const { fetchRepository } = await import("../lib/repositories/fetch-repository");
    const { registerCluster } = await import("../lib/clusters/manage-clusters");
    const { createApplication, createEnvironment } = await import("../lib/environments/manage-environments");
    const { reconcileEnvironment } = await import("../lib/reconcile/reconcile-environment");
    const { previewPromotion } = await import("../lib/promotions/preview");
    const { createPromotion } = await import("../lib/promotions/create");
    const { decidePromotion } = await import("../lib/promotions/decide");
    const { promotionDeps } = await import("../server/root");
    const { startWorker, stopWorker } = await import("../server/worker");
    await startWorker(); // the landing and the sync run as jobs, like in the product
    cleanups.push(() => stopWorker());
    const { createUser } = await import("../lib/users/manage-users");
    const prisma = db();
    cleanups.push(() => prisma.$disconnect());
    const deps = promotionDeps();

    log(`Generating a repository: ${IMAGES} Deployments, dev and prod overlays with ${IMAGES} image entries each`);
    const src = path.join(tmp, "src");
    writeRepo(src);
    const gitEnv = { GIT_AUTHOR_NAME: "Bench", GIT_AUTHOR_EMAIL: "bench@example.com", GIT_COMMITTER_NAME: "Bench", GIT_COMMITTER_EMAIL: "bench@example.com" };
    await runGit(["init", "-q", "-b", "main", src]);
    await runGit(["-C", src, "add", "-A"]);
    await runGit(["-C", src, "commit", "-q", "-m", "fleet"], { env: gitEnv });
    const gitRoot = path.join(tmp, "git");
    mkdirSync(gitRoot);
    await runGit(["clone", "-q", "--bare", src, path.join(gitRoot, "fleet.git")]);
    const server = await startGitServer({ root: gitRoot });
    cleanups.push(() => server.stop());
    const repo = await addRepository(sealDeps(), { name: "fleet", url: `${server.url}/fleet.git` }, null);
    await fetchRepository(fetchDeps(), repo.id);
    const { cluster } = await registerCluster(clusterDeps(), {
      source: "kubeconfig",
      name: "testbed",
      kubeconfig,
      context: parseYaml(kubeconfig)["current-context"],
    });
    const app = await createApplication(prisma, { name: "fleet" });
    const mk = (name: string, position: number) =>
      createEnvironment(prisma, deps.mirrorsDir, app.id, {
        name,
        position,
        repositoryId: repo.id,
        branch: "main",
        path: `apps/fleet/overlays/${name}`,
        clusterId: cluster.id,
        namespace: `fleet-${name}`,
        renderer: "auto",
        helmValuesFiles: [],
      });
    const dev = await mk("dev", 0);
    const prod = await mk("prod", 1);
    // Both environments run their overlay first (auto-sync), so the preview diffs 50 live Deployments.
    await prisma.environment.updateMany({ where: { id: { in: [dev.id, prod.id] } }, data: { autoSync: true } });
    await reconcileEnvironment(deps, dev.id);
    await reconcileEnvironment(deps, prod.id);
    await prisma.environment.update({ where: { id: prod.id }, data: { autoSync: false } });
    const author = { name: "Bench", email: "bench@example.com" };

    // a. preview
    log(`Timing ${RUNS} previews of dev -> prod`);
    const first = await timed(() => previewPromotion(deps, dev.id, prod.id, author));
    if (first.value.images.length !== IMAGES) throw new Error(`expected ${IMAGES} image moves, got ${first.value.images.length}`);
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) samples.push((await timed(() => previewPromotion(deps, dev.id, prod.id, author))).ms);
    const preview = stats(samples, ms);

    log("Baseline: the same preview by hand (clone, 50x kustomize edit set image, kustomize build, kubectl diff)");
    const byHand: number[] = [];
    for (let i = 0; i < 3; i++) {
      const clone = path.join(tmp, `hand-${i}`);
      const started = performance.now();
      await runGit(["clone", "-q", `${server.url}/fleet.git`, clone]);
      const overlay = path.join(clone, "apps/fleet/overlays/prod");
      for (let j = 0; j < IMAGES; j++) await run(KUSTOMIZE_BIN, ["edit", "set", "image", `registry.example.com/team/${svc(j)}:1.1.0`], { cwd: overlay });
      await run("git", ["-C", clone, "diff", "--stat"]);
      const rendered = await run(KUSTOMIZE_BIN, ["build", overlay]);
      await run(KUBECTL, ["--kubeconfig", tb.kubeconfigPath, "diff", "--server-side", "--force-conflicts", "-n", "fleet-prod", "-f", "-"], {
        input: rendered,
        okCodes: [0, 1],
      });
      byHand.push(performance.now() - started);
    }
    const hand = stats(byHand, ms);

    // b. last approval -> synced and healthy
    log("Protected prod: last approval -> merged -> synced and healthy");
    await prisma.environment.update({ where: { id: prod.id }, data: { requiredApprovals: 1 } });
    const dev1 = await createUser(prisma, { username: "bench-dev", password: "bench-password-1", role: "developer" });
    const approver = await createUser(prisma, { username: "bench-approver", password: "bench-password-2", role: "approver" });
    const fresh2 = await previewPromotion(deps, dev.id, prod.id, author);
    const promotion = await createPromotion(deps, dev1, {
      sourceEnvironmentId: dev.id,
      targetEnvironmentId: prod.id,
      previewHash: fresh2.previewHash,
      acknowledgeWarnings: true,
    });
    const started = performance.now();
    await decidePromotion(deps, approver, promotion.id, { decision: "approved", comment: "ship it" });
    let status = "";
    let merged = 0;
    while (performance.now() - started < WAIT_MS) {
      status = (await prisma.promotion.findUniqueOrThrow({ where: { id: promotion.id } })).status;
      if (!merged && status !== "approved") merged = performance.now() - started;
      if (status === "succeeded" || status === "failed") break;
      await sleep(50);
    }
    const approvalToHealthy = performance.now() - started;
    if (status !== "succeeded") {
      const p = await prisma.promotion.findUniqueOrThrow({ where: { id: promotion.id }, include: { events: true, targetEnvironment: true } });
      const runs = await prisma.syncRun.findMany({ where: { environmentId: prod.id }, orderBy: { startedAt: "desc" }, take: 3 });
      log(
        `promotion did not succeed: ${JSON.stringify({ status: p.status, error: p.error, commit: p.commitSha, env: { synced: p.targetEnvironment.syncedRevision, sync: p.targetEnvironment.syncStatus, health: p.targetEnvironment.health }, events: p.events.map((e) => `${e.action}: ${e.detail}`), runs: runs.map((r) => `${r.revision.slice(0, 7)} ${r.status} ${r.error}`) })}`,
      );
    }

    console.log(
      `\nPromotion preview, ${IMAGES} image references (${RUNS} runs; load ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(" ")})`,
    );
    console.log(
      table(
        ["", "median", "p95", "min"],
        [
          ["Tideline previewPromotion (first)", `${ms(first.ms)} ms`, "", ""],
          ["Tideline previewPromotion", `${preview.median} ms`, `${preview.p95} ms`, `${preview.min} ms`],
          ["by hand: clone + 50x kustomize edit + build + kubectl diff", `${hand.median} ms`, `${hand.p95} ms`, `${hand.min} ms`],
        ],
      ),
    );
    console.log(`\nLast approval -> merged: ${ms(merged)} ms; -> prod synced and healthy (${status}): ${ms(approvalToHealthy)} ms`);
    Object.assign(results, {
      previewFirstMs: ms(first.ms),
      preview,
      byHand: hand,
      approvalToMergedMs: ms(merged),
      approvalToHealthyMs: ms(approvalToHealthy),
      finalStatus: status,
    });
    writeResults(ROOT, "promotion", results);
  } finally {
    await runCleanups(cleanups, tmp, false);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

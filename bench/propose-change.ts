// "Propose change" benchmark on a real stack (embedded Postgres, git http-backend): an edit of
// 20 manifests in the demo repository turned into a change request (commit as the user on a
// new branch, push, record, index), the same path the editor's button takes after the click.
// Baseline in the same run: what a person does by hand with the git CLI (clone, write the 20
// files, commit, push a branch).
//
//   npx tsx --conditions=react-server bench/propose-change.ts            # BENCH_FILES=20 BENCH_RUNS=10
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { log, runCleanups, stats, table, writeResults } from "./lib/report";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const FILES = Number(process.env.BENCH_FILES ?? 20);
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const ms = (n: number) => Math.round(n * 10) / 10;

const manifest = (run: number, i: number) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: bench-${i}
data:
  run: "${run}"
  index: "${i}"
`;

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "tideline-bench-propose-"));
  chmodSync(tmp, 0o755);
  const cleanups: Array<() => Promise<void> | void> = [];
  try {
    const { freshDatabase } = await import("../support/stack");
    const { startGitServer } = await import("../support/git-server");
    const { createDemoRepository, runGit } = await import("../support/demo-repo");
    const fresh = await freshDatabase({ dataDir: tmp, prefix: "tideline_bench" });
    cleanups.push(() => fresh.stop());
    Object.assign(process.env, {
      DATABASE_URL: fresh.url,
      TIDELINE_SECRET_KEY: randomBytes(32).toString("base64"),
      TIDELINE_DATA_DIR: path.join(tmp, "data"),
      TIDELINE_FETCH_INTERVAL_SECONDS: "0",
    });
    const gitRoot = path.join(tmp, "git");
    mkdirSync(gitRoot);
    await createDemoRepository(path.join(gitRoot, "config.git"));
    const server = await startGitServer({ root: gitRoot });
    cleanups.push(() => server.stop());

    const { db } = await import("../lib/db");
    const { fetchDeps, sealDeps, changeDeps } = await import("../server/root");
    const { addRepository } = await import("../lib/repositories/add-repository");
    const { fetchRepository } = await import("../lib/repositories/fetch-repository");
    const { proposeChange } = await import("../lib/changes/propose-change");
    cleanups.push(() => db().$disconnect());
    const repo = await addRepository(sealDeps(), { name: "config", url: `${server.url}/config.git` }, null);
    await fetchRepository(fetchDeps(), repo.id);
    const actor = { id: null, username: "bench" };

    log(`Proposing ${RUNS} changes of ${FILES} files each`);
    const tideline: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const files = Array.from({ length: FILES }, (_, i) => ({ path: `apps/bench/cm-${i}.yaml`, content: manifest(run, i) }));
      const started = performance.now();
      await proposeChange(changeDeps(), actor, { repositoryId: repo.id, baseBranch: "main", title: `Bench run ${run}`, body: "", files });
      tideline.push(performance.now() - started);
    }

    log("Baseline: git clone, write the files, commit, push a new branch");
    const byHand: number[] = [];
    const gitEnv = { GIT_AUTHOR_NAME: "Bench", GIT_AUTHOR_EMAIL: "bench@example.com", GIT_COMMITTER_NAME: "Bench", GIT_COMMITTER_EMAIL: "bench@example.com" };
    for (let run = 0; run < Math.min(RUNS, 5); run++) {
      const clone = path.join(tmp, `clone-${run}`);
      const started = performance.now();
      await runGit(["clone", "-q", `${server.url}/config.git`, clone]);
      mkdirSync(path.join(clone, "apps/bench"), { recursive: true });
      for (let i = 0; i < FILES; i++) writeFileSync(path.join(clone, `apps/bench/cm-${i}.yaml`), manifest(1000 + run, i));
      await runGit(["-C", clone, "checkout", "-q", "-b", `by-hand-${run}`]);
      await runGit(["-C", clone, "add", "-A"]);
      await runGit(["-C", clone, "commit", "-q", "-m", `by hand ${run}`], { env: gitEnv });
      await runGit(["-C", clone, "push", "-q", "origin", `by-hand-${run}`]);
      byHand.push(performance.now() - started);
    }
    const t = stats(tideline, ms);
    const b = stats(byHand, ms);
    console.log(
      `\nPropose a change of ${FILES} files -> change request (${RUNS} runs; load ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(" ")}; target < 3 s)`,
    );
    console.log(
      table(
        ["", "median", "p95", "max"],
        [
          ["Tideline proposeChange (commit, push branch, record, index)", `${t.median} ms`, `${t.p95} ms`, `${t.max} ms`],
          ["git CLI by hand (clone, write, commit, push)", `${b.median} ms`, `${b.p95} ms`, `${b.max} ms`],
        ],
      ),
    );
    writeResults(ROOT, "propose-change", { files: FILES, tideline: t, byHand: b, load: os.loadavg() });
  } finally {
    await runCleanups(cleanups, tmp, false);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

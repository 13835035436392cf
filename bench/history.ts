// History benchmark: imports a large synthetic repository (10,000 commits x 2,000 files by
// default) through Tideline's own fetch + index path, then measures the history API, and
// prints git's CLI on the same repository as the baseline, in the same run, on the same machine.
//
//   npx tsx --conditions=react-server bench/history.ts                          # full run (10,000 commits, 2,000 files)
//   BENCH_COMMITS=1000 BENCH_FILES=500 npx tsx --conditions=react-server bench/history.ts   # quick run
//
// Optional env: BENCH_COMMITS, BENCH_FILES, BENCH_APPEND (default 100), BENCH_ITERATIONS
// (default 50), BENCH_EXPERIMENTS=0 to skip the candidate-index experiment, BENCH_KEEP=1 to keep
// the temp folder, DATABASE_URL to use an existing Postgres (a fresh database is created in it).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { ROOT, freshDatabase } from "../support/stack";
import { appendCommits, createLargeRepository } from "../support/large-repo";
import { startGitServer, type GitServer } from "../support/git-server";
import { log, runCleanups, sample, stats, table, timed, writeResults, type Stats } from "./lib/report";

const COMMITS = Number(process.env.BENCH_COMMITS ?? 10_000);
const FILES = Number(process.env.BENCH_FILES ?? 2_000);
const APPEND = Number(process.env.BENCH_APPEND ?? 100);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 50);
const WARMUP = 5;
const GIT_BASELINE_RUNS = 10;
const TARGET_MS = 50;
const EXPERIMENTS = process.env.BENCH_EXPERIMENTS !== "0";
const KEEP = process.env.BENCH_KEEP === "1";
// `git log` record with every field Tideline stores, so the baseline reads the same data.
const LOG_FORMAT = "--format=%H%x00%P%x00%T%x00%an%x00%ae%x00%at%x00%cn%x00%ce%x00%ct%x00%B";

const ms = (n: number) => Math.round(n * 10) / 10;

// ------------------------------------------------------------------ git CLI baseline helpers

function gitEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("GIT_")) env[k] = v;
  return { ...env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: os.devNull, GIT_TERMINAL_PROMPT: "0" };
}

/** Runs git, streams stdout into counters (never held in memory), returns wall time. */
function timeGit(args: string[], cwd = ROOT): Promise<{ ms: number; bytes: number; lines: number; nonEmptyLines: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("git", args, { cwd, env: gitEnv() as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
    let bytes = 0;
    let lines = 0;
    let nonEmptyLines = 0;
    let prev = 10;
    let head = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      bytes += c.length;
      for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) {
        lines++;
        if ((i > 0 ? c[i - 1] : prev) !== 10) nonEmptyLines++;
      }
      if (c.length > 0) prev = c[c.length - 1]!;
      if (head.length < 4096) head += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const elapsed = performance.now() - started;
      if (code !== 0) reject(new Error(`git ${args.join(" ")} failed (${code}): ${stderr}`));
      else resolve({ ms: elapsed, bytes, lines, nonEmptyLines, stdout: head.trim() });
    });
  });
}

async function gitOut(...args: string[]): Promise<string> {
  return (await timeGit(args)).stdout;
}

// ------------------------------------------------------------------ stats

// ------------------------------------------------------------------ table printing

const fmtMs = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${ms(n)} ms`);
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(1)}x` : "n/a");

// ------------------------------------------------------------------ main

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "tideline-bench-"));
  chmodSync(tmp, 0o755); // embedded Postgres runs as the postgres user when we are root
  const cleanups: Array<() => Promise<void> | void> = [];
  const results: Record<string, unknown> = {};
  const loadAtStart = os.loadavg().map((l) => Math.round(l * 100) / 100);
  try {
    // ---------------------------------------------------------- 1. Postgres
    log(process.env.DATABASE_URL ? "Using DATABASE_URL (fresh database)" : "Starting embedded PostgreSQL");
    const fresh = await freshDatabase({ dataDir: tmp, prefix: "tideline_bench" });
    cleanups.push(() => fresh.stop());
    const url = fresh.url;
    Object.assign(process.env, {
      DATABASE_URL: url,
      TIDELINE_SECRET_KEY: randomBytes(32).toString("base64"),
      TIDELINE_DATA_DIR: path.join(tmp, "data"),
      TIDELINE_FETCH_INTERVAL_SECONDS: "0",
    });

    const { db } = await import("../lib/db");
    const { env } = await import("../lib/env");
    const { fetchDeps, sealDeps } = await import("../server/root");
    const { addRepository } = await import("../lib/repositories/add-repository");
    const { fetchRepository } = await import("../lib/repositories/fetch-repository");
    const { listCommits, encodeCursor } = await import("../lib/repositories/list-commits");
    const { fetchMirror, mirrorPath } = await import("../lib/git/mirror");
    const { indexRepository } = await import("../lib/git/indexer");
    const { readNewCommits, withChangedFiles } = await import("../lib/git/read-commits");
    const isogit = (await import("isomorphic-git")).default;
    const fs = await import("node:fs");
    const { default: pg } = await import("pg");
    const prisma = db();
    cleanups.push(() => prisma.$disconnect());
    const sql = new pg.Client({ connectionString: url });
    await sql.connect();
    cleanups.push(() => sql.end());

    // ---------------------------------------------------------- 2. repository + server
    const gitRoot = path.join(tmp, "git");
    const bare = path.join(gitRoot, "bench.git");
    mkdirSync(gitRoot, { recursive: true });
    log(`Generating ${COMMITS} commits x ${FILES} files with git fast-import`);
    const gen = await timed(() => createLargeRepository(bare, { commits: COMMITS, files: FILES }));
    await timeGit([`--git-dir=${bare}`, "gc", "-q"]); // a served repository is packed, like a real remote
    const packBytes = Number((await gitOut(`--git-dir=${bare}`, "count-objects", "-v")).match(/size-pack: (\d+)/)?.[1] ?? 0) * 1024;
    const objectCount = Number((await gitOut(`--git-dir=${bare}`, "count-objects", "-v")).match(/in-pack: (\d+)/)?.[1] ?? 0);
    const server: GitServer = await startGitServer({ root: gitRoot });
    cleanups.push(() => server.stop());
    const remote = `${server.url}/bench.git`;
    log(`Serving ${remote} (${objectCount} objects, ${(packBytes / 1048576).toFixed(1)} MiB packed; generated in ${fmtMs(gen.ms)})`);

    // ---------------------------------------------------------- 3. full import
    log("Baseline: git clone --mirror over HTTP");
    const baseMirror = path.join(tmp, "baseline-mirror.git");
    const gClone = await timeGit(["clone", "--mirror", "--quiet", remote, baseMirror]);
    log("Baseline: git log --name-status (full history)");
    const gLogFull = await timeGit([`--git-dir=${bare}`, "log", "--name-status", "--no-renames", LOG_FORMAT, "main"]);

    log("Tideline: addRepository + fetchRepository (full import)");
    const repoA = await addRepository(sealDeps(), { name: "bench-history", url: remote }, null);
    const rssBefore = process.memoryUsage().rss;
    const fullImport = await timed(() => fetchRepository(fetchDeps(), repoA.id));
    if (fullImport.value.status !== "fetched") throw new Error(`full import skipped: ${JSON.stringify(fullImport.value)}`);
    const repoRow = await prisma.repository.findUniqueOrThrow({ where: { id: repoA.id } });
    const maxRssAfterImport = process.resourceUsage().maxRSS * 1024;

    // Correctness check: same commits and changed-path rows as git.
    const gitCommitCount = Number(await gitOut(`--git-dir=${bare}`, "rev-list", "--count", "main"));
    const dbCommits = await prisma.commit.count({ where: { repositoryId: repoA.id } });
    const dbFiles = Number(
      (await sql.query(`SELECT count(*) FROM "CommitFile" f JOIN "Commit" c ON c.id = f."commitId" WHERE c."repositoryId" = $1`, [repoA.id])).rows[0].count,
    );
    const gitFileRowsExact = (await timeGit([`--git-dir=${bare}`, "log", "--name-status", "--no-renames", "--format=", "main"])).nonEmptyLines;
    log(`Indexed ${dbCommits} commits (git: ${gitCommitCount}), ${dbFiles} changed-path rows (git: ${gitFileRowsExact})`);

    log("Tideline split (second repository record): fetchMirror, commit walk alone, then indexRepository with Postgres calls timed");
    const repoB = await addRepository(sealDeps(), { name: "bench-split", url: remote }, null);
    const gitdirB = mirrorPath(env().mirrorsDir, repoB.id);
    const tFetch = await timed(() => fetchMirror({ gitdir: gitdirB, url: remote, credentials: {} }));
    const branches = tFetch.value.branches;
    // The commit walk alone (no Postgres), as indexRepository does it first.
    const tWalk = await timed(() =>
      readNewCommits(
        gitdirB,
        branches.map((b) => b.sha),
        new Set(),
      ),
    );
    // indexRepository with every Prisma call timed: what is not spent waiting on Postgres is git reads in JS.
    const pgTime = { ms: 0, calls: 0 };
    const timedPrisma = prisma.$extends({
      query: {
        async $allOperations({ args, query }) {
          const started = performance.now();
          try {
            return await query(args);
          } finally {
            pgTime.ms += performance.now() - started;
            pgTime.calls += 1;
          }
        },
      },
    }) as unknown as typeof prisma;
    const tIndex = await timed(() => indexRepository({ prisma: timedPrisma, repositoryId: repoB.id, gitdir: gitdirB, branches }));
    const pgMs = pgTime.ms;
    const gitReadMs = Math.max(0, tIndex.ms - pgMs);
    const treeDiffMs = Math.max(0, gitReadMs - tWalk.ms);
    // Remove the split copy so the API figures below see one repository's rows.
    await prisma.repository.delete({ where: { id: repoB.id } });
    rmSync(gitdirB, { recursive: true, force: true });
    await sql.query("VACUUM ANALYZE");

    results.import = {
      totalMs: ms(fullImport.ms),
      lastFetchDurationMs: repoRow.lastFetchDurationMs,
      newCommits: fullImport.value.index.newCommits,
      split: {
        fetchMirrorMs: ms(tFetch.ms),
        indexRepositoryMs: ms(tIndex.ms),
        commitWalkMs: ms(tWalk.ms),
        treeDiffMs: ms(treeDiffMs),
        postgresMs: ms(pgMs),
        postgresCalls: pgTime.calls,
      },
      baseline: { gitCloneMirrorMs: ms(gClone.ms), gitLogNameStatusMs: ms(gLogFull.ms), gitLogBytes: gLogFull.bytes },
      check: { dbCommits, gitCommitCount, dbFiles, gitFileRows: gitFileRowsExact },
      maxRssBytes: maxRssAfterImport,
      rssBeforeImportBytes: rssBefore,
    };

    // ---------------------------------------------------------- 4. incremental fetch
    const oldHead = await gitOut(`--git-dir=${bare}`, "rev-parse", "main");
    log("Tideline: no-op refetch (nothing new)");
    const noop = await timed(() => fetchRepository(fetchDeps(), repoA.id));
    const gFetchNoop = await timeGit([`--git-dir=${baseMirror}`, "fetch", "--quiet", "--prune", "origin"]);

    log(`Appending ${APPEND} commits`);
    const { headSha: newHead } = await appendCommits(bare, APPEND);
    const gFetchInc = await timeGit([`--git-dir=${baseMirror}`, "fetch", "--quiet", "--prune", "origin"]);
    const gLogInc = await timeGit([`--git-dir=${bare}`, "log", "--name-status", "--no-renames", LOG_FORMAT, `${oldHead}..${newHead}`]);
    log(`Tideline: fetchRepository (+${APPEND} commits)`);
    const inc = await timed(() => fetchRepository(fetchDeps(), repoA.id));
    if (inc.value.status !== "fetched") throw new Error("incremental fetch skipped");
    results.incremental = {
      appended: APPEND,
      totalMs: ms(inc.ms),
      newCommits: inc.value.index.newCommits,
      noopRefetchMs: ms(noop.ms),
      baseline: { gitFetchMs: ms(gFetchInc.ms), gitLogRangeMs: ms(gLogInc.ms), gitFetchNoopMs: ms(gFetchNoop.ms) },
    };
    await sql.query("ANALYZE");

    // ---------------------------------------------------------- 5. history API latency
    const branch = await prisma.branch.findUniqueOrThrow({ where: { repositoryId_name: { repositoryId: repoA.id, name: "main" } } });
    const members = await prisma.branchCommit.count({ where: { branchId: branch.id } });
    const deepAt = Math.min(9_000, Math.floor(members * 0.9));
    const cursorRow = (
      await sql.query(`SELECT "committedAt", sha FROM "BranchCommit" WHERE "branchId" = $1 ORDER BY "committedAt" DESC, sha DESC OFFSET $2 LIMIT 1`, [
        branch.id,
        deepAt - 1,
      ])
    ).rows[0] as { committedAt: Date; sha: string };
    const deepCursor = encodeCursor(cursorRow.committedAt, cursorRow.sha);
    // Check: paging the API with limit 200 reaches the same cursor.
    let walked = 0;
    let pagedCursor: string | undefined;
    const walk = await timed(async () => {
      while (walked < deepAt) {
        const page = await listCommits(prisma, repoA.id, { branch: "main", limit: Math.min(200, deepAt - walked), cursor: pagedCursor });
        walked += page.items.length;
        pagedCursor = page.nextCursor ?? undefined;
        if (!pagedCursor) break;
      }
    });
    if (pagedCursor !== deepCursor) throw new Error(`cursor mismatch after paging ${walked} commits`);
    log(`Deep cursor: after commit #${deepAt} (${cursorRow.sha.slice(0, 10)}); paging there with limit 200 took ${fmtMs(walk.ms)}`);

    const folder = "apps/app-003";
    const anyFile = (await gitOut(`--git-dir=${bare}`, "ls-tree", "-r", "--name-only", "main", "--", folder)).split("\n")[0]!;
    const folderTouches = Number(await gitOut(`--git-dir=${bare}`, "rev-list", "--count", "main", "--", folder));
    const fileTouches = Number(await gitOut(`--git-dir=${bare}`, "rev-list", "--count", "main", "--", anyFile));

    type Scenario = { name: string; branch?: string; path?: string; cursor?: string; gitArgs: string[] };
    const rev = (deep: boolean) => (deep ? `${cursorRow.sha}^` : "main");
    const scenarios: Scenario[] = [
      { name: "branch, first page", branch: "main", gitArgs: [rev(false)] },
      { name: `branch, deep page (after #${deepAt})`, branch: "main", cursor: deepCursor, gitArgs: [rev(true)] },
      { name: `branch + folder (${folderTouches} hits), first`, branch: "main", path: folder, gitArgs: [rev(false), "--", folder] },
      { name: `branch + folder, deep page`, branch: "main", path: folder, cursor: deepCursor, gitArgs: [rev(true), "--", folder] },
      { name: `branch + file (${fileTouches} hits), first`, branch: "main", path: anyFile, gitArgs: [rev(false), "--", anyFile] },
      { name: `branch + file, deep page`, branch: "main", path: anyFile, cursor: deepCursor, gitArgs: [rev(true), "--", anyFile] },
      { name: "all branches, first page", gitArgs: ["--all"] },
      { name: "all branches, deep page", cursor: deepCursor, gitArgs: [rev(true)] },
    ];

    const api: Array<{ name: string; items: number; stats: Stats; git: Stats; explainMs?: number; plan?: string }> = [];
    for (const s of scenarios) {
      const query = { branch: s.branch, path: s.path, cursor: s.cursor, limit: 50 };
      const first = await listCommits(prisma, repoA.id, query);
      const st = await sample(() => listCommits(prisma, repoA.id, query), ITERATIONS, WARMUP, ms);
      const gs = await sample(
        () => timeGit([`--git-dir=${bare}`, "log", "-n", "50", "--name-status", "--no-renames", LOG_FORMAT, ...s.gitArgs]),
        GIT_BASELINE_RUNS,
        1,
        ms,
      );
      const plan = await explain(sql, repoA.id, branch.id, s);
      api.push({ name: s.name, items: first.items.length, stats: st, git: gs, explainMs: plan.executionMs, plan: plan.text });
      log(`${s.name}: median ${st.median} ms, p95 ${st.p95} ms (${first.items.length} items; main query ${plan.executionMs} ms in Postgres)`);
    }
    // Where listCommits' time goes when Postgres itself is fast: per-call client overhead.
    const pageIds = (
      await sql.query(`SELECT "commitId" FROM "BranchCommit" WHERE "branchId" = $1 ORDER BY "committedAt" DESC, sha DESC LIMIT 50`, [branch.id])
    ).rows.map((r: { commitId: string }) => r.commitId);
    const overhead = {
      "pg driver: SELECT 1": await sample(() => sql.query("SELECT 1"), ITERATIONS, WARMUP, ms),
      "Prisma $queryRaw: SELECT 1": await sample(() => prisma.$queryRaw`SELECT 1`, ITERATIONS, WARMUP, ms),
      "Prisma repository.findUnique": await sample(
        () => prisma.repository.findUnique({ where: { id: repoA.id }, select: { id: true } }),
        ITERATIONS,
        WARMUP,
        ms,
      ),
      "Prisma commit.findMany (50 ids)": await sample(() => prisma.commit.findMany({ where: { id: { in: pageIds } } }), ITERATIONS, WARMUP, ms),
      "pg driver: same 50 commits": await sample(() => sql.query(`SELECT * FROM "Commit" WHERE id = ANY($1)`, [pageIds]), ITERATIONS, WARMUP, ms),
    };
    results.api = { iterations: ITERATIONS, warmup: WARMUP, deepAt, folder, file: anyFile, scenarios: api, overhead };

    // Candidate index experiment: only in this throwaway database, to test a suggestion.
    let experiment: Array<{ name: string; before: number; after: number; explainAfter: number }> | undefined;
    const slow = api.filter((a, i) => scenarios[i]!.path);
    if (EXPERIMENTS && slow.length > 0) {
      log(`Experiment: candidate indexes for ${slow.map((s) => s.name).join("; ")}`);
      await sql.query(`CREATE INDEX bench_commitfile_path_pattern ON "CommitFile" (path text_pattern_ops, "commitId")`);
      await sql.query("ANALYZE");
      experiment = [];
      for (const s of scenarios.filter((x) => slow.some((a) => a.name === x.name))) {
        const query = { branch: s.branch, path: s.path, cursor: s.cursor, limit: 50 };
        const st = await sample(() => listCommits(prisma, repoA.id, query), ITERATIONS, WARMUP, ms);
        const plan = await explain(sql, repoA.id, branch.id, s);
        experiment.push({ name: s.name, before: api.find((a) => a.name === s.name)!.stats.median, after: st.median, explainAfter: plan.executionMs });
        (experiment[experiment.length - 1] as Record<string, unknown>).planAfter = plan.text;
      }
      await sql.query(`DROP INDEX bench_commitfile_path_pattern`);
      results.experiment = { index: `CREATE INDEX ON "CommitFile" (path text_pattern_ops, "commitId")`, scenarios: experiment };
    }

    // ---------------------------------------------------------- 6. report
    const cpus = os.cpus();
    const machine = {
      cpu: cpus[0]?.model ?? "unknown",
      cpus: cpus.length,
      memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      git: (await gitOut("--version")).replace("git version ", ""),
      postgres: (await sql.query("SHOW server_version")).rows[0].server_version as string,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
      collation: (await sql.query("SELECT datcollate FROM pg_database WHERE datname = current_database()")).rows[0].datcollate as string,
    };
    results.machine = machine;
    results.repository = { commits: COMMITS, files: FILES, objects: objectCount, packBytes, generateMs: ms(gen.ms) };

    const out: string[] = [];
    out.push("", "Tideline history benchmark");
    out.push(
      `Machine: ${machine.cpu} x${machine.cpus}, ${machine.memoryGiB} GiB RAM, ${machine.os}, Node ${machine.node}, git ${machine.git}, Postgres ${machine.postgres} (collation ${machine.collation})`,
    );
    out.push(
      `Load average (1/5/15 min) at start: ${machine.loadAverageAtStart.join(" / ")}, at end: ${machine.loadAverageAtEnd.join(" / ")} (with ${machine.cpus} CPUs; other work on the machine skews every figure)`,
    );
    out.push(
      `Repository: ${COMMITS} commits, ${FILES} files, ${objectCount} objects, ${(packBytes / 1048576).toFixed(1)} MiB pack (generated in ${fmtMs(gen.ms)})`,
    );
    out.push(
      `Index check: ${dbCommits}/${gitCommitCount} commits, ${dbFiles}/${gitFileRowsExact} changed-path rows ${dbCommits === gitCommitCount && dbFiles === gitFileRowsExact ? "(match git)" : "(MISMATCH)"}`,
    );
    out.push(`Process max RSS after full import: ${(maxRssAfterImport / 1048576).toFixed(0)} MiB`);
    out.push("");
    out.push("Import (one run each; baseline = git CLI on the same repository / server)");
    out.push(
      table(
        ["Measure", "Tideline", "Baseline", "Baseline is", "Ratio"],
        [
          [
            "Full import: fetchRepository()",
            fmtMs(fullImport.ms),
            fmtMs(gClone.ms + gLogFull.ms),
            "clone --mirror + log --name-status",
            ratio(fullImport.ms, gClone.ms + gLogFull.ms),
          ],
          ["  lastFetchDurationMs (stored)", fmtMs(repoRow.lastFetchDurationMs ?? 0), "", "", ""],
          ["Transfer: fetchMirror() (HTTP + pack index)", fmtMs(tFetch.ms), fmtMs(gClone.ms), "git clone --mirror over HTTP", ratio(tFetch.ms, gClone.ms)],
          ["Indexing: indexRepository()", fmtMs(tIndex.ms), fmtMs(gLogFull.ms), "git log --name-status (all)", ratio(tIndex.ms, gLogFull.ms)],
          ["  git reads in JS (index - Postgres)", fmtMs(gitReadMs), "", "", ""],
          ["    commit walk (readNewCommits alone)", fmtMs(tWalk.ms), "", "", ""],
          ["    tree diffs + parent reads (rest)", fmtMs(treeDiffMs), "", "", ""],
          [`  Postgres (${pgTime.calls} Prisma calls, timed)`, fmtMs(pgMs), "", "", ""],
          [
            `Incremental: fetchRepository() +${APPEND}`,
            fmtMs(inc.ms),
            fmtMs(gFetchInc.ms + gLogInc.ms),
            `git fetch + log --name-status old..new`,
            ratio(inc.ms, gFetchInc.ms + gLogInc.ms),
          ],
          ["No-op refetch: fetchRepository()", fmtMs(noop.ms), fmtMs(gFetchNoop.ms), "git fetch (up to date)", ratio(noop.ms, gFetchNoop.ms)],
        ],
      ),
    );
    out.push("");
    out.push(
      `History API: listCommits(limit 50), ${ITERATIONS} runs after ${WARMUP} warm-up; target median < ${TARGET_MS} ms. Baseline: git log -n 50 --name-status (${GIT_BASELINE_RUNS} runs, incl. process start)`,
    );
    out.push(
      table(
        ["Query", "Items", "Median", "p95", "Max", "PG exec", "Target", "git median", "Ratio"],
        api.map((a) => [
          a.name,
          a.items,
          `${a.stats.median} ms`,
          `${a.stats.p95} ms`,
          `${a.stats.max} ms`,
          `${a.explainMs} ms`,
          a.stats.median < TARGET_MS ? "ok" : "SLOW",
          `${a.git.median} ms`,
          ratio(a.stats.median, a.git.median),
        ]),
      ),
    );
    out.push("");
    out.push("Per-call overhead (same process, same Postgres)");
    out.push(
      table(
        ["Call", "Median", "p95"],
        Object.entries(overhead).map(([k, v]) => [k, `${v.median} ms`, `${v.p95} ms`]),
      ),
    );
    if (experiment) {
      out.push("");
      out.push(`Experiment (throwaway DB only): CREATE INDEX ON "CommitFile" (path text_pattern_ops, "commitId")`);
      out.push(
        table(
          ["Query", "Median before", "Median after", "PG exec after"],
          experiment.map((e) => [e.name, `${e.before} ms`, `${e.after} ms`, `${e.explainAfter} ms`]),
        ),
      );
    }
    out.push("");
    out.push("Postgres plans (EXPLAIN ANALYZE of listCommits' main query) for queries whose main query took >= 5 ms:");
    for (const a of api.filter((x) => (x.explainMs ?? 0) >= 5)) out.push(`--- ${a.name} (${a.explainMs} ms)`, a.plan ?? "");
    if (experiment)
      for (const e of experiment as Array<Record<string, unknown>>) out.push(`--- with candidate index: ${e.name} (${e.explainAfter} ms)`, String(e.planAfter));

    const text = out.join("\n");
    console.log(text);
    writeResults(ROOT, "history", { ...results });
  } finally {
    await runCleanups(cleanups, tmp, KEEP);
  }
}

/** Re-runs listCommits' main (keyset) query under EXPLAIN ANALYZE, with the same SQL and parameters. */
async function explain(
  sql: import("pg").Client,
  repositoryId: string,
  branchId: string,
  s: { branch?: string; path?: string; cursor?: string },
): Promise<{ executionMs: number; text: string }> {
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const after = s.cursor
    ? (() => {
        const [iso, sha] = Buffer.from(s.cursor!, "base64url").toString("utf8").split("|");
        return { at: new Date(iso!), sha: sha! };
      })()
    : null;
  const pathFilter = s.path
    ? `AND EXISTS (SELECT 1 FROM "CommitFile" f WHERE f."commitId" = c.id AND (f.path = ${p(s.path)} OR f.path LIKE ${p(s.path.replace(/[\\%_]/g, (c) => `\\${c}`) + "/%")}))`
    : "";
  let text: string;
  if (s.branch) {
    const keyset = after ? `AND (bc."committedAt", bc.sha) < (${p(after.at)}, ${p(after.sha)})` : "";
    text = `SELECT c.id, bc."committedAt", bc.sha FROM "BranchCommit" bc JOIN "Commit" c ON c.id = bc."commitId"
      WHERE bc."branchId" = ${p(branchId)} ${keyset} ${pathFilter} ORDER BY bc."committedAt" DESC, bc.sha DESC LIMIT ${p(51)}`;
  } else {
    const keyset = after ? `AND (c."committedAt", c.sha) < (${p(after.at)}, ${p(after.sha)})` : "";
    text = `SELECT c.id, c."committedAt", c.sha FROM "Commit" c
      WHERE c."repositoryId" = ${p(repositoryId)} ${keyset} ${pathFilter} ORDER BY c."committedAt" DESC, c.sha DESC LIMIT ${p(51)}`;
  }
  const res = await sql.query(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, params);
  const lines = res.rows.map((r: Record<string, string>) => r["QUERY PLAN"]!);
  const exec = Number(lines.find((l: string) => l.startsWith("Execution Time"))?.match(/([\d.]+) ms/)?.[1] ?? NaN);
  return { executionMs: exec, text: lines.join("\n") };
}

await main();

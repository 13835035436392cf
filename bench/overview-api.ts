// Overview API benchmark: seeds 1,000 environments (250 applications x 4 environments, varied
// sync status / health / names, sharing one repository and one cluster) straight into Postgres,
// then times environmentOverview (lib/environments/manage-environments.ts), the function behind
// the overview page and GET /api/environments, for the first page, a deep page, a search and
// two filters. Next to it, in the same run: one hand-written SQL statement returning the same
// rows through the pg driver (the floor), and the Postgres execution time of every statement
// Prisma sends (EXPLAIN ANALYZE), with the plan printed for anything slow.
//
//   npx tsx --conditions=react-server bench/overview-api.ts                        # 1,000 environments (about 1 minute)
//   BENCH_APPS=2500 npx tsx --conditions=react-server bench/overview-api.ts        # 10,000 environments
//
// Optional env: BENCH_APPS (250), BENCH_ENVS_PER_APP (4), BENCH_ITERATIONS (50), BENCH_KEEP=1 to
// keep the temp folder, DATABASE_URL to use an existing Postgres (a fresh database is created in it).
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { ROOT, freshDatabase } from "../support/stack";
import { log, runCleanups, sample, stats, table, writeResults, type Stats } from "./lib/report";

const APPS = Number(process.env.BENCH_APPS ?? 250);
const ENVS_PER_APP = Number(process.env.BENCH_ENVS_PER_APP ?? 4);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 50);
const WARMUP = 5;
const TARGET_MS = 100;
const KEEP = process.env.BENCH_KEEP === "1";
const EXPERIMENTS = process.env.BENCH_EXPERIMENTS !== "0";
const ENV_NAMES = ["dev", "staging", "prod", "canary", "qa", "perf", "dr", "sandbox"];

const ms = (n: number) => Math.round(n * 100) / 100;
const round2 = (n: number) => Math.round(n * 100) / 100;

const fmtMs = (n: number) => (!Number.isFinite(n) ? "n/a" : n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${ms(n)} ms`);

/** Deterministic pseudo-random numbers, so every run seeds the same data. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function pick<T>(r: number, weighted: Array<[T, number]>): T {
  let acc = 0;
  for (const [v, w] of weighted) {
    acc += w;
    if (r < acc) return v;
  }
  return weighted[weighted.length - 1]![0];
}

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "tideline-bench-overview-"));
  chmodSync(tmp, 0o755);
  const cleanups: Array<() => Promise<void> | void> = [];
  const results: Record<string, unknown> = {};
  const loadAtStart = os.loadavg().map(round2);
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
    const { environmentOverview } = await import("../lib/environments/manage-environments");
    const { overviewQuery } = await import("../lib/environments/schemas");
    const { PrismaClient } = await import("../lib/generated/prisma/client");
    const { PrismaPg } = await import("@prisma/adapter-pg");
    const { default: pg } = await import("pg");
    const prisma = db();
    cleanups.push(() => prisma.$disconnect());
    const sql = new pg.Client({ connectionString: url });
    await sql.connect();
    cleanups.push(() => sql.end());

    // ---------------------------------------------------------- 2. seed
    const total = APPS * ENVS_PER_APP;
    log(`Seeding ${APPS} applications x ${ENVS_PER_APP} environments = ${total} environments (createMany)`);
    const seedStarted = performance.now();
    const repo = await prisma.repository.create({
      data: { name: "bench-config", url: "http://127.0.0.1:1/bench-config.git", status: "ready", defaultBranch: "main" },
    });
    const clusters = await Promise.all(
      ["prod-eu", "prod-us", "staging"].map((name) =>
        prisma.cluster.create({ data: { name, server: `https://${name}.example.com:6443`, status: "connected" } }),
      ),
    );
    await prisma.application.createMany({
      data: Array.from({ length: APPS }, (_, i) => ({ name: `app-${i}`, description: `Service ${i} of the bench fleet` })),
    });
    const apps = await prisma.application.findMany({ select: { id: true, name: true } });
    const random = rng(42);
    const envs = apps.flatMap((a) =>
      Array.from({ length: ENVS_PER_APP }, (_, position) => {
        const name = ENV_NAMES[position % ENV_NAMES.length]! + (position >= ENV_NAMES.length ? `-${position}` : "");
        const syncStatus = pick(random(), [
          ["Synced", 0.7],
          ["OutOfSync", 0.2],
          ["Unknown", 0.1],
        ] as Array<["Synced" | "OutOfSync" | "Unknown", number]>);
        const health = pick(random(), [
          ["Healthy", 0.7],
          ["Progressing", 0.1],
          ["Degraded", 0.08],
          ["Missing", 0.05],
          ["Suspended", 0.02],
          ["Unknown", 0.05],
        ] as Array<["Healthy" | "Progressing" | "Degraded" | "Missing" | "Suspended" | "Unknown", number]>);
        const objectCount = 5 + Math.floor(random() * 60);
        const outOfSyncCount = syncStatus === "OutOfSync" ? 1 + Math.floor(random() * 5) : 0;
        return {
          applicationId: a.id,
          name,
          position,
          repositoryId: repo.id,
          branch: "main",
          path: `apps/${a.name}/overlays/${name}`,
          clusterId: clusters[position % clusters.length]!.id,
          namespace: `${a.name}-${name}`,
          renderer: "kustomize",
          syncStatus,
          health,
          desiredRevision: randomBytes(20).toString("hex"),
          syncedRevision: randomBytes(20).toString("hex"),
          objectCount,
          outOfSyncCount,
          lastError: health === "Degraded" ? `Deployment/${a.name}: 1 of 3 pods CrashLoopBackOff (back-off restarting failed container)` : null,
          lastReconciledAt: new Date(Date.now() - Math.floor(random() * 3_600_000)),
          autoSync: random() < 0.5,
          prune: random() < 0.3,
        };
      }),
    );
    for (let i = 0; i < envs.length; i += 1000) await prisma.environment.createMany({ data: envs.slice(i, i + 1000) });
    await sql.query("VACUUM ANALYZE");
    const seedMs = performance.now() - seedStarted;
    const counts = (await sql.query(`SELECT "syncStatus"::text AS s, health::text AS h, count(*)::int AS n FROM "Environment" GROUP BY 1, 2`)).rows as Array<{
      s: string;
      h: string;
      n: number;
    }>;
    const bySync = (s: string) => counts.filter((c) => c.s === s).reduce((a, c) => a + c.n, 0);
    const byHealth = (h: string) => counts.filter((c) => c.h === h).reduce((a, c) => a + c.n, 0);
    log(
      `Seeded in ${fmtMs(seedMs)}: ${bySync("Synced")} Synced, ${bySync("OutOfSync")} OutOfSync, ${bySync("Unknown")} Unknown; ${byHealth("Degraded")} Degraded`,
    );

    // ---------------------------------------------------------- 3. queries
    const cases: Array<{ name: string; input: Record<string, unknown>; raw: { where: string; params: unknown[] } }> = [
      { name: "first page", input: { page: 1, pageSize: 50 }, raw: { where: "TRUE", params: [] } },
      { name: "page 15", input: { page: 15, pageSize: 50 }, raw: { where: "TRUE", params: [] } },
      {
        name: 'search q="app-12"',
        input: { page: 1, pageSize: 50, q: "app-12" },
        raw: { where: `(e.name ILIKE $1 OR a.name ILIKE $1)`, params: ["%app-12%"] },
      },
      { name: "syncStatus=OutOfSync", input: { page: 1, pageSize: 50, syncStatus: "OutOfSync" }, raw: { where: `e."syncStatus" = 'OutOfSync'`, params: [] } },
      { name: "health=Degraded", input: { page: 1, pageSize: 50, health: "Degraded" }, raw: { where: `e.health = 'Degraded'`, params: [] } },
    ];

    // A second client that logs the SQL Prisma sends, used only to capture statements for EXPLAIN ANALYZE.
    const captured: Array<{ query: string; params: string }> = [];
    const logging = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 2 }), log: [{ emit: "event", level: "query" }] });
    cleanups.push(() => logging.$disconnect());
    (logging as unknown as { $on: (e: "query", cb: (ev: { query: string; params: string }) => void) => void }).$on("query", (ev) =>
      captured.push({ query: ev.query, params: ev.params }),
    );

    const prismaOverhead = await sample(() => prisma.$queryRaw`SELECT 1`, ITERATIONS, WARMUP, ms);
    const rows: Array<Record<string, unknown>> = [];
    const slowPlans: string[] = [];
    for (const c of cases) {
      const q = overviewQuery.parse(c.input);
      const first = await environmentOverview(prisma, q);
      log(`${c.name}: ${first.total} matching, ${first.items.length} on the page`);
      const tideline = await sample(() => environmentOverview(prisma, q), ITERATIONS, WARMUP, ms);

      // Floor: the same page in one statement (total via a window function) through the pg driver.
      const offset = (q.page - 1) * q.pageSize;
      const rawSql = `
        SELECT e.*, a.name AS "applicationName", c.name AS "clusterName", r.name AS "repositoryName", count(*) OVER () AS total
        FROM "Environment" e JOIN "Application" a ON a.id = e."applicationId" JOIN "Cluster" c ON c.id = e."clusterId" JOIN "Repository" r ON r.id = e."repositoryId"
        WHERE ${c.raw.where}
        ORDER BY a.name ASC, e.position ASC LIMIT ${q.pageSize} OFFSET ${offset}`;
      const rawCheck = await sql.query(rawSql, c.raw.params);
      const rawMatches = Number(rawCheck.rows[0]?.total ?? 0) === first.total && rawCheck.rows.map((r) => r.id).join() === first.items.map((i) => i.id).join();
      const raw = await sample(() => sql.query(rawSql, c.raw.params), ITERATIONS, WARMUP, ms);

      // Every statement Prisma sends for this call, with its Postgres execution time.
      captured.length = 0;
      await environmentOverview(logging as unknown as typeof prisma, q);
      const statements: Array<{ sql: string; executionMs: number; planningMs: number; topNode: string; plan: string[] }> = [];
      for (const st of [...captured]) {
        if (/^\s*(BEGIN|COMMIT|SELECT 1)\b/i.test(st.query)) continue;
        const params = JSON.parse(st.params || "[]") as unknown[];
        const plan = (await sql.query(`EXPLAIN (ANALYZE, BUFFERS) ${st.query}`, params)).rows.map((r) => r["QUERY PLAN"] as string);
        const exec = Number(plan.find((l) => l.startsWith("Execution Time"))?.match(/([\d.]+) ms/)?.[1] ?? NaN);
        const planning = Number(plan.find((l) => l.startsWith("Planning Time"))?.match(/([\d.]+) ms/)?.[1] ?? NaN);
        statements.push({ sql: st.query, executionMs: exec, planningMs: planning, topNode: plan[0]!.replace(/\s+\(cost.*$/, "").trim(), plan });
        if (exec > 20 || tideline.median > TARGET_MS) slowPlans.push(`-- ${c.name}\n${st.query}\n${plan.join("\n")}`);
      }
      rows.push({ name: c.name, total: first.total, items: first.items.length, tideline, raw, rawMatches, statements });
    }
    results.queries = rows;

    // ---------------------------------------------------------- 3b. experiment (throwaway database only)
    // Candidate index for the ORDER BY application name, position: Environment(applicationId, position).
    const experiment: Array<{
      name: string;
      before: Stats;
      after: Stats;
      planBefore: string;
      planAfter: string;
      execAfter: number;
      innerJoin: { before: Stats; after: Stats; plan: string; exec: number };
    }> = [];
    // The same page with an INNER JOIN (an environment always has its application: the FK is NOT NULL),
    // which lets Postgres walk Application(name) in order and stop after the page.
    const innerJoinSql = (limit: number, offset: number) => `
      SELECT e.*, a.name AS "applicationName" FROM "Environment" e JOIN "Application" a ON a.id = e."applicationId"
      ORDER BY a.name ASC, e.position ASC LIMIT ${limit} OFFSET ${offset}`;
    const innerBefore = new Map<string, Stats>();
    for (const c of cases.slice(0, 2)) {
      const q = overviewQuery.parse(c.input);
      innerBefore.set(c.name, await sample(() => sql.query(innerJoinSql(q.pageSize, (q.page - 1) * q.pageSize)), ITERATIONS, WARMUP, ms));
    }
    if (EXPERIMENTS) {
      log('Experiment: CREATE INDEX ON "Environment" ("applicationId", position), re-measure the unfiltered pages');
      await sql.query(`CREATE INDEX "bench_env_app_position" ON "Environment" ("applicationId", position)`);
      await sql.query("ANALYZE");
      for (const c of cases.slice(0, 2)) {
        const q = overviewQuery.parse(c.input);
        const before = rows.find((r) => r.name === c.name)!;
        const after = await sample(() => environmentOverview(prisma, q), ITERATIONS, WARMUP, ms);
        captured.length = 0;
        await environmentOverview(logging as unknown as typeof prisma, q);
        const main = captured.find((st) => /ORDER BY/.test(st.query))!;
        const plan = (await sql.query(`EXPLAIN (ANALYZE) ${main.query}`, JSON.parse(main.params || "[]"))).rows.map((r) => r["QUERY PLAN"] as string);
        const innerSql = innerJoinSql(q.pageSize, (q.page - 1) * q.pageSize);
        const innerAfter = await sample(() => sql.query(innerSql), ITERATIONS, WARMUP, ms);
        const innerPlan = (await sql.query(`EXPLAIN (ANALYZE) ${innerSql}`)).rows.map((r) => r["QUERY PLAN"] as string);
        const innerJoin = {
          before: innerBefore.get(c.name)!,
          after: innerAfter,
          plan: innerPlan
            .filter((l) => /->|^Limit/.test(l))
            .slice(0, 5)
            .map((l) => l.trim().replace(/\s+\(cost.*$/, ""))
            .join(" / "),
          exec: Number(innerPlan.find((l) => l.startsWith("Execution Time"))?.match(/([\d.]+) ms/)?.[1] ?? NaN),
        };
        const beforeMain = (before.statements as Array<{ sql: string; plan: string[] }>).find((s) => /ORDER BY/.test(s.sql))!;
        experiment.push({
          name: c.name,
          before: before.tideline as Stats,
          after,
          planBefore: beforeMain.plan
            .slice(0, 3)
            .map((l) => l.trim())
            .join(" / "),
          planAfter: plan
            .slice(0, 3)
            .map((l) => l.trim())
            .join(" / "),
          execAfter: Number(plan.find((l) => l.startsWith("Execution Time"))?.match(/([\d.]+) ms/)?.[1] ?? NaN),
          innerJoin,
        });
      }
      await sql.query(`DROP INDEX "bench_env_app_position"`);
      results.experiment = experiment;
    }

    // ---------------------------------------------------------- 4. report
    const cpus = os.cpus();
    const machine = {
      cpu: cpus[0]?.model ?? "unknown",
      cpus: cpus.length,
      memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      postgres: (await sql.query("SHOW server_version")).rows[0].server_version as string,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: os.loadavg().map(round2),
    };
    results.machine = machine;
    const out: string[] = [];
    out.push("", `Tideline overview API benchmark: environmentOverview over ${total} environments (${APPS} applications x ${ENVS_PER_APP})`);
    out.push(`Machine: ${machine.cpu} x${machine.cpus}, ${machine.memoryGiB} GiB RAM, ${machine.os}, Node ${machine.node}, PostgreSQL ${machine.postgres}`);
    out.push(
      `Load average (1/5/15 min) at start: ${machine.loadAverageAtStart.join(" / ")}, at end: ${machine.loadAverageAtEnd.join(" / ")} (with ${machine.cpus} CPUs)`,
    );
    out.push(
      `Seeded in ${fmtMs(seedMs)}: ${bySync("Synced")} Synced / ${bySync("OutOfSync")} OutOfSync / ${bySync("Unknown")} Unknown; ${byHealth("Healthy")} Healthy, ${byHealth("Degraded")} Degraded, ${byHealth("Progressing")} Progressing`,
    );
    out.push(`Prisma round trip alone (SELECT 1 via $queryRaw): median ${fmtMs(prismaOverhead.median)}, p95 ${fmtMs(prismaOverhead.p95)}`);
    out.push("");
    out.push(
      `environmentOverview, pageSize 50: ${ITERATIONS} runs after ${WARMUP} warm-ups (target: < ${TARGET_MS} ms server-side). Baseline: one hand-written SQL statement via pg returning the same page and total`,
    );
    out.push(
      table(
        ["Query", "Matches", "Median", "p95", "Max", "Target", "SQL floor median", "Floor p95", "Same rows", "Postgres exec (per statement)"],
        rows.map((r) => {
          const t = r.tideline as Stats;
          const f = r.raw as Stats;
          const st = r.statements as Array<{ executionMs: number }>;
          return [
            r.name as string,
            r.total as number,
            fmtMs(t.median),
            fmtMs(t.p95),
            fmtMs(t.max),
            t.p95 < TARGET_MS ? "met" : "MISSED",
            fmtMs(f.median),
            fmtMs(f.p95),
            r.rawMatches ? "yes" : "NO",
            st.map((s) => `${s.executionMs} ms`).join(" + "),
          ];
        }),
      ),
    );
    out.push("");
    out.push("Statements Prisma sends per call (first case; plan top node):");
    for (const s of rows[0]!.statements as Array<{ sql: string; topNode: string; executionMs: number }>)
      out.push(`  [${s.executionMs} ms, ${s.topNode}] ${s.sql.replace(/\s+/g, " ").slice(0, 400)}`);
    for (const r of rows.slice(1)) {
      const st = r.statements as Array<{ topNode: string; executionMs: number }>;
      out.push(`  ${r.name}: ${st.map((s) => `${s.topNode} (${s.executionMs} ms)`).join("; ")}`);
    }
    if (slowPlans.length) {
      out.push("", "Plans of slow statements (EXPLAIN ANALYZE, BUFFERS):", ...slowPlans);
    } else {
      out.push("", `No statement took over 20 ms in Postgres and every median is under ${TARGET_MS} ms: no index change needed at this size.`);
    }
    if (experiment.length) {
      out.push("", 'Experiment: candidate index CREATE INDEX ON "Environment" ("applicationId", position) (throwaway database; prisma/ untouched)');
      out.push(
        table(
          ["Query", "Median before", "p95 before", "Median after", "p95 after", "Main statement exec after"],
          experiment.map((e) => [e.name, fmtMs(e.before.median), fmtMs(e.before.p95), fmtMs(e.after.median), fmtMs(e.after.p95), `${e.execAfter} ms`]),
        ),
      );
      for (const e of experiment) out.push(`  ${e.name}: plan before: ${e.planBefore}`, `  ${" ".repeat(e.name.length)}  plan after:  ${e.planAfter}`);
      out.push("Same page as one INNER JOIN statement via pg (LEFT JOIN, which Prisma emits for orderBy on a relation, keeps Environment as the outer side):");
      out.push(
        table(
          ["Query", "Median without index", "Median with index", "p95 with index", "Exec with index", "Plan with index"],
          experiment.map((e) => [
            e.name,
            fmtMs(e.innerJoin.before.median),
            fmtMs(e.innerJoin.after.median),
            fmtMs(e.innerJoin.after.p95),
            `${e.innerJoin.exec} ms`,
            e.innerJoin.plan,
          ]),
        ),
      );
    }
    const text = out.join("\n");
    console.log(text);
    writeResults(ROOT, "overview-api", { config: { APPS, ENVS_PER_APP, ITERATIONS }, ...results });
  } finally {
    await runCleanups(cleanups, tmp, KEEP);
  }
}

await main();
process.exit(0);

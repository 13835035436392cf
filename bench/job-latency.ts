// Job overhead: how long a job waits between enqueue (send) and its handler starting, on an idle
// engine (pg-boss on Postgres, LISTEN/NOTIFY), sequential sends. Baselines in the same run: one
// Postgres round trip (the floor any durable queue pays), and the 2 s polling tracker this engine
// replaced (its expected wait, measured by sampling a 2 s interval at random moments).
//
//   npx tsx --conditions=react-server bench/job-latency.ts          # 200 jobs
//   BENCH_JOBS=50 npx tsx --conditions=react-server bench/job-latency.ts
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { freshDatabase } from "../support/stack";
import { JobEngine } from "../lib/jobs/engine";
import { log, stats, table } from "./lib/report";

const JOBS = Number(process.env.BENCH_JOBS ?? 200);
const TARGET_P50_MS = 50;
const ms = (n: number) => Math.round(n * 10) / 10;

const tmp = mkdtempSync(path.join(os.tmpdir(), "tideline-bench-jobs-"));
chmodSync(tmp, 0o755);
const db = await freshDatabase({ dataDir: tmp, prefix: "bench_jobs" });
const engine = new JobEngine({ connectionString: db.url });
try {
  await engine.start();
  const sentAt = new Map<string, number>();
  const waits: number[] = [];
  let resolveNext: (() => void) | null = null;
  await engine.work({
    "promotion.track": async (p) => {
      waits.push(performance.now() - sentAt.get(p.environmentId)!);
      resolveNext?.();
    },
  });
  log(`Sending ${JOBS} jobs one after another to an idle engine`);
  for (let i = 0; i < JOBS + 10; i++) {
    const key = `bench-${i}`;
    const started = new Promise<void>((r) => (resolveNext = r));
    sentAt.set(key, performance.now());
    await engine.send("promotion.track", { environmentId: key });
    await started;
  }
  const job = stats(waits.slice(10), ms); // first 10 warm the pools

  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const rt: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await client.query("SELECT 1");
    rt.push(performance.now() - t);
  }
  await client.end();
  const roundTrip = stats(rt.slice(20), ms);
  // A 2 s polling loop picks up work on its next tick: the wait is uniform in [0, 2000) ms.
  const polling = stats(
    Array.from({ length: 1000 }, () => Math.random() * 2000),
    ms,
  );

  console.log(
    `\nJob overhead: enqueue -> handler start, idle engine (load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}, ${os.cpus().length} cores, ${os.cpus()[0]?.model})\n`,
  );
  console.log(
    table(
      ["measure", "p50 ms", "p95 ms", "max ms"],
      [
        ["Tideline job (send -> start)", job.p50, job.p95, job.max],
        ["baseline: Postgres round trip (SELECT 1)", roundTrip.p50, roundTrip.p95, roundTrip.max],
        ["baseline: the 2 s polling tracker it replaced", polling.p50, polling.p95, polling.max],
      ],
    ),
  );
  console.log(`\nTarget p50 < ${TARGET_P50_MS} ms: ${job.p50 < TARGET_P50_MS ? "met" : "NOT met"}`);
} finally {
  await engine.stop({ graceful: false });
  await db.stop();
  rmSync(tmp, { recursive: true, force: true });
}

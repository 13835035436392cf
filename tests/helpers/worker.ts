// Runs Tideline's job handlers inside the test process (the worker role), against this test
// file's own job queue. Call in beforeAll; stopTestWorker in afterAll.
import { startWorker, stopWorker } from "../../server/worker";
import { jobs } from "../../server/root";

export async function startTestWorker() {
  await startWorker({ periodic: false });
  return jobs();
}

export const stopTestWorker = () => stopWorker();

/** Waits until no job of `name` (for `key`, when given) is queued or running in this file's queue. */
export async function waitForJobsIdle(name: string, key?: string, timeoutMs = 30_000) {
  const schema = process.env.TIDELINE_JOB_SCHEMA!;
  await jobs().start();
  const { db } = await import("../../lib/db");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await db().$queryRawUnsafe<Array<{ n: bigint }>>(
      `SELECT count(*) AS n FROM "${schema}".job WHERE name = $1 AND ($2::text IS NULL OR singleton_key = $2) AND state IN ('created', 'retry', 'active')`,
      name,
      key ?? null,
    );
    if (Number(rows[0]!.n) === 0) return;
    if (Date.now() > deadline) throw new Error(`jobs ${name}${key ? ` (${key})` : ""} still queued or running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** How many jobs of `name` (for `key`) are queued or running in this file's queue. */
export async function liveJobCount(name: string, key: string) {
  const schema = process.env.TIDELINE_JOB_SCHEMA!;
  await jobs().start();
  const { db } = await import("../../lib/db");
  const rows = await db().$queryRawUnsafe<Array<{ n: bigint }>>(
    `SELECT count(*) AS n FROM "${schema}".job WHERE name = $1 AND singleton_key = $2 AND state IN ('created', 'retry', 'active')`,
    name,
    key,
  );
  return Number(rows[0]!.n);
}

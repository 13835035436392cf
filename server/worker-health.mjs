#!/usr/bin/env node
// Kubernetes exec probe for the worker role (which has no HTTP server): exits 0 when Postgres
// answers `SELECT 1` within the time limit; with --ready, the job engine's schema exists too; with
// --worker, the worker process of this pod is alive: its job engine (named TIDELINE_WORKER_NAME, or
// registered from this host) heartbeats in pg-boss's instance table. A probe that only asked
// Postgres would keep a hung or crashed-in-place worker "healthy" for ever.
// Prints one short line saying what failed; never the connection string.
//   node server/worker-health.mjs [--ready] [--worker] [--timeout-ms 3000]
import os from "node:os";
import { parseArgs } from "node:util";
import pg from "pg";

const { values } = parseArgs({
  options: { ready: { type: "boolean", default: false }, worker: { type: "boolean", default: false }, "timeout-ms": { type: "string", default: "3000" } },
});
const timeoutMs = Number(values["timeout-ms"]);
const schema = process.env.TIDELINE_JOB_SCHEMA || "tideline_jobs";

function fail(message) {
  console.error(`unhealthy: ${message}`);
  process.exit(1);
}

if (!process.env.DATABASE_URL) fail("DATABASE_URL is not set");
if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) fail("--timeout-ms must be a positive number");
if (!/^[a-z_][a-z0-9_]{0,50}$/.test(schema)) fail("TIDELINE_JOB_SCHEMA must be a lower-case Postgres schema name");
// Whatever hangs (DNS, TCP, a locked catalog), the probe answers within its own limit.
setTimeout(() => fail(`database did not answer within ${timeoutMs} ms`), timeoutMs).unref();

const client = new pg.Client({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: timeoutMs, statement_timeout: timeoutMs });
try {
  await client.connect();
  await client.query("SELECT 1");
  if (values.ready) {
    const { rowCount } = await client.query("SELECT 1 FROM information_schema.schemata WHERE schema_name = $1", [schema]);
    if (!rowCount) fail(`job engine schema "${schema}" is not installed yet`);
  }
  if (values.worker) {
    // pg-boss beats every heartbeat_seconds (30 by default) and counts an instance dead after 3 missed beats.
    const name = process.env.TIDELINE_WORKER_NAME || null;
    const { rows } = await client
      .query(
        `SELECT count(*) FILTER (WHERE stopped_on IS NULL AND heartbeat_on > now() - heartbeat_seconds * 3 * interval '1 second')::int AS live, count(*)::int AS seen
       FROM "${schema}".instance WHERE name = $1 OR ($1::text IS NULL AND host = $2)`,
        [name, os.hostname()],
      )
      .catch((error) => (error?.code === "42P01" ? { rows: [{ live: 0, seen: 0 }] } : Promise.reject(error)));
    const who = name ? `worker ${name}` : `a worker on ${os.hostname()}`;
    if (!rows[0].live) fail(rows[0].seen ? `${who}: its job engine stopped or stopped heartbeating` : `${who} has not started its job engine`);
  }
} catch (error) {
  // pg's messages name the failure (refused, authentication failed, no such database) but not the password.
  fail(`database unreachable (${error?.code ?? "error"}: ${error?.message ?? error})`);
} finally {
  await client.end().catch(() => {});
}
console.log(`ok: database${values.ready ? ", job schema" : ""}${values.worker ? ", worker heartbeating" : ""}`);
process.exit(0);

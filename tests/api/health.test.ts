// /api/health is public (probes carry no session): 200 while Postgres answers, 503 naming the
// failing check when it does not, never a host, user or driver message; the worker's exec probe
// answers the same question with its exit code, and with --worker also whether this pod's worker
// engine is alive (heartbeating in pg-boss's instance table).
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:net";
import { promisify } from "node:util";
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "../../lib/generated/prisma/client";
import { db } from "../../lib/db";
import { checkHealth } from "../../lib/health/check-health";
import { JobEngine } from "../../lib/jobs/engine";
import { callRoute } from "../helpers/routes";
import { setLogDestination } from "../../lib/log/logger";

const run = promisify(execFile);

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

let down: PrismaClient;
let downUrl: string;
beforeAll(async () => {
  downUrl = `postgresql://tideline:hunter2-secret@127.0.0.1:${await closedPort()}/tideline`;
  down = new PrismaClient({ adapter: new PrismaPg({ connectionString: downUrl, connectionTimeoutMillis: 1_000 }) });
});
afterAll(async () => {
  await down?.$disconnect().catch(() => {});
});

describe("/api/health", () => {
  it("answers 200 without a session while the database answers", async () => {
    const res = await callRoute({ file: "health", method: "GET" });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toContain("no-store");
    expect(await res.json()).toMatchObject({ status: "ok", database: "ok" });

    const ready = await callRoute({ file: "health", method: "GET", url: "/api/health?ready=1" });
    // Readiness also needs the job engine's schema: 503 naming "jobs" until an engine has installed it.
    const body = (await ready.json()) as { status: string; database: string; jobs: string };
    expect(body.database).toBe("ok");
    expect(ready.status).toBe(body.jobs === "ok" ? 200 : 503);
    expect(body.status).toBe(body.jobs === "ok" ? "ok" : "unavailable");
    expect(["ok", "missing"]).toContain(body.jobs);
    expect(await checkHealth({ prisma: db(), role: "web", jobSchema: "tideline_no_such_schema", depth: "ready" })).toEqual({
      status: "unavailable",
      role: "web",
      database: "ok",
      jobs: "missing",
    });
    expect(await checkHealth({ prisma: db(), role: "web", jobSchema: "public", depth: "ready" })).toEqual({
      status: "ok",
      role: "web",
      database: "ok",
      jobs: "ok",
    });

    const live = await callRoute({ file: "health", method: "GET", url: "/api/health?live=1" });
    expect(live.status).toBe(200);
    expect(await live.json()).not.toHaveProperty("database");
  });

  it("reports an unreachable database as unavailable, naming the check and nothing secret", async () => {
    const errors: string[] = [];
    const started = Date.now();
    const report = await checkHealth({
      prisma: down,
      role: "web",
      jobSchema: "tideline_jobs",
      depth: "ready",
      timeoutMs: 1_500,
      onError: (what) => errors.push(what),
    });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(report.status).toBe("unavailable");
    expect(["unreachable", "timeout"]).toContain(report.database);
    expect(report.jobs).toBeUndefined();
    expect(errors).toEqual(["database"]);
    const text = JSON.stringify(report);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("127.0.0.1");
  });

  it("answers 503 naming the database check when the route's database is unreachable", async () => {
    // The route reads the process's one Prisma client (lib/db keeps it on globalThis): point it at a
    // closed port for this one request, as when Postgres goes away under a running web pod.
    const slot = globalThis as unknown as { tidelineDb?: PrismaClient };
    const real = db();
    slot.tidelineDb = down;
    const logged: string[] = [];
    setLogDestination({ write: (line: string) => void logged.push(line) });
    try {
      const res = await callRoute({ file: "health", method: "GET" });
      expect(res.status).toBe(503);
      expect(res.headers.get("cache-control")).toContain("no-store");
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toEqual({ status: "unavailable", role: expect.any(String), database: expect.stringMatching(/^(unreachable|timeout)$/) });
      expect(JSON.stringify(body)).not.toMatch(/hunter2|127\.0\.0\.1|ECONNREFUSED/);
      // Liveness does not depend on Postgres: the pod is not restarted for an outage.
      expect((await callRoute({ file: "health", method: "GET", url: "/api/health?live=1" })).status).toBe(200);
    } finally {
      slot.tidelineDb = real;
      setLogDestination(null);
    }
    // The reason went to the server log (an error line naming the check), not to the response.
    const failed = logged.map((l) => JSON.parse(l)).find((l) => l.msg === "health check failed");
    expect(failed).toMatchObject({ level: 50, check: "database", err: { message: expect.stringMatching(/reach|connect|ECONNREFUSED/i) } });
    expect((await callRoute({ file: "health", method: "GET" })).status).toBe(200);
  });

  it("gives up after its time limit when the database hangs", async () => {
    const hanging = { $queryRaw: () => new Promise(() => {}) } as unknown as PrismaClient;
    const report = await checkHealth({ prisma: hanging, role: "worker", jobSchema: "tideline_jobs", depth: "health", timeoutMs: 200 });
    expect(report).toEqual({ status: "unavailable", role: "worker", database: "timeout" });
  });
});

describe("worker exec probe (server/worker-health.mjs)", () => {
  it("exits 0 while the database answers", async () => {
    const { stdout } = await run(process.execPath, ["server/worker-health.mjs"], { env: { ...process.env } });
    expect(stdout).toContain("ok");
  });

  it("with --worker, exits 0 only while this pod's worker engine heartbeats", async () => {
    const name = `tl-worker-${randomUUID().slice(0, 8)}`;
    const probe = (worker: string) =>
      run(process.execPath, ["server/worker-health.mjs", "--worker", "--ready"], { env: { ...process.env, TIDELINE_WORKER_NAME: worker } }).then(
        (r) => ({ code: 0, out: r.stdout }),
        (e: { code: number; stderr: string }) => ({ code: e.code, out: e.stderr }),
      );
    const engine = new JobEngine({ connectionString: process.env.DATABASE_URL!, schema: process.env.TIDELINE_JOB_SCHEMA, instanceName: name });
    try {
      await engine.start();
      expect(await probe(name)).toEqual({ code: 0, out: expect.stringContaining("worker heartbeating") });
      // Postgres answers, but no worker of that name runs: a crashed-in-place or never-started worker is not alive.
      expect(await probe(`${name}-other`)).toEqual({ code: 1, out: expect.stringContaining("has not started its job engine") });
    } finally {
      await engine.stop({ graceful: false });
    }
    expect(await probe(name)).toEqual({ code: 1, out: expect.stringContaining("stopped") });
  });

  it("exits 1 with a short reason when the database is unreachable, without the password", async () => {
    const err = await run(process.execPath, ["server/worker-health.mjs", "--timeout-ms", "2000"], { env: { ...process.env, DATABASE_URL: downUrl } }).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err?.stderr).toContain("unhealthy");
    expect(err?.stderr).not.toContain("hunter2");
  });
});

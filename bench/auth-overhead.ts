// Authentication and authorization overhead per API request (issue 8 target: < 2 ms median).
// Times a trivial handler called bare, and through apiRoute with a session cookie and with
// an API token, in the same process against the same Postgres; prints the baseline (bare) too.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { freshDatabase } from "../support/stack";

const RUNS = Number(process.env.BENCH_RUNS ?? 2000);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;

async function time(fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 100; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), "tideline-bench-auth-"));
chmodSync(tmp, 0o755);
const db0 = await freshDatabase({ dataDir: tmp, prefix: "tideline_bench" });
try {
  Object.assign(process.env, { DATABASE_URL: db0.url, TIDELINE_SECRET_KEY: randomBytes(32).toString("base64"), TIDELINE_DATA_DIR: path.join(tmp, "data") });
  const { NextRequest } = await import("next/server");
  const { apiRoute } = await import("../lib/api/handler");
  const { createSession, SESSION_COOKIE } = await import("../lib/auth/sessions");
  const { createApiToken } = await import("../lib/auth/api-tokens");
  const { createUser } = await import("../lib/users/manage-users");
  const { db } = await import("../lib/db");

  const user = await createUser(db(), { username: "bench", password: "bench-password-1", role: "developer" });
  const { token: cookie } = await createSession(db(), user.id, 12);
  const { token: bearer } = await createApiToken(db(), { id: user.id, role: "developer" }, { name: "bench", scopes: ["repository.read"], expiresInDays: 1 });
  const handler = async () => ({ ok: true });
  const wrapped = apiRoute({ action: "repository.read" }, handler);
  const ctx = { params: Promise.resolve({}) };
  const url = new URL("http://tideline.test/api/bench");

  const bare = await time(async () => Response.json(await handler()));
  const withCookie = await time(() => wrapped(new NextRequest(url, { headers: { cookie: `${SESSION_COOKIE}=${cookie}` } }), ctx));
  const withToken = await time(() => wrapped(new NextRequest(url, { headers: { authorization: `Bearer ${bearer}` } }), ctx));
  const refused = await time(() => wrapped(new NextRequest(url), ctx));

  const row = (name: string, xs: number[], base?: number[]) =>
    `| ${name.padEnd(38)} | ${median(xs).toFixed(3).padStart(8)} ms | ${p95(xs).toFixed(3).padStart(8)} ms | ${base ? `${(median(xs) - median(base)).toFixed(3).padStart(8)} ms` : "baseline".padStart(11)} |`;
  console.log(
    `Auth overhead per request (${RUNS} runs after 100 warm-up; machine: ${os.cpus()[0]?.model} x${os.cpus().length}, Node ${process.version}, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" / ")})`,
  );
  console.log("| Request                                | Median      | p95         | Overhead    |");
  console.log("|----------------------------------------|-------------|-------------|-------------|");
  console.log(row("bare handler (no auth)", bare));
  console.log(row("apiRoute + session cookie (Postgres)", withCookie, bare));
  console.log(row("apiRoute + API token (Postgres)", withToken, bare));
  console.log(row("apiRoute, no credentials (401)", refused, bare));
  console.log(`Target: overhead median < 2 ms — ${median(withCookie) - median(bare) < 2 && median(withToken) - median(bare) < 2 ? "met" : "MISSED"}`);
  await db().$disconnect();
} finally {
  await db0.stop();
  rmSync(tmp, { recursive: true, force: true });
}

// Answers "can this Tideline process do its job?" for load balancers and Kubernetes probes:
// Postgres answers a trivial query in time, and (readiness) the job engine's schema exists.
// The answer names what failed but never how (no hosts, users or driver messages).
import type { PrismaClient } from "../generated/prisma/client";

export type CheckOutcome = "ok" | "unreachable" | "timeout" | "missing";

export interface HealthReport {
  status: "ok" | "unavailable";
  role: string;
  /** Postgres answered `SELECT 1` within the time limit (absent for liveness-only checks). */
  database?: CheckOutcome;
  /** The job engine's Postgres schema is installed (readiness only). */
  jobs?: CheckOutcome;
}

export interface HealthOptions {
  prisma: PrismaClient;
  role: string;
  jobSchema: string;
  /** "live": the process answers (no dependencies); "health": Postgres; "ready": Postgres and the job schema. */
  depth: "live" | "health" | "ready";
  timeoutMs?: number;
  /** Where the underlying error goes (server log); it never reaches the response. */
  onError?: (what: string, error: unknown) => void;
}

class Timeout extends Error {}

/** Runs `query` but gives up after `ms` (the query itself may still finish later, unobserved). */
async function within<T>(ms: number, query: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([query(), late]);
  } finally {
    clearTimeout(timer);
  }
}

async function probe(what: string, opts: HealthOptions, query: () => Promise<boolean>): Promise<CheckOutcome> {
  try {
    return (await within(opts.timeoutMs ?? 2_000, query)) ? "ok" : "missing";
  } catch (error) {
    opts.onError?.(what, error);
    return error instanceof Timeout ? "timeout" : "unreachable";
  }
}

export async function checkHealth(opts: HealthOptions): Promise<HealthReport> {
  const report: HealthReport = { status: "ok", role: opts.role };
  if (opts.depth === "live") return report;
  report.database = await probe("database", opts, async () => {
    await opts.prisma.$queryRaw`SELECT 1`;
    return true;
  });
  if (opts.depth === "ready" && report.database === "ok") {
    report.jobs = await probe("job schema", opts, async () => {
      const rows = await opts.prisma.$queryRaw<unknown[]>`SELECT 1 FROM information_schema.schemata WHERE schema_name = ${opts.jobSchema}`;
      return rows.length > 0;
    });
  }
  if (report.database !== "ok" || (opts.depth === "ready" && report.jobs !== "ok")) report.status = "unavailable";
  return report;
}

// The environment.verify job: follows an environment's running Verification until its verdict.
// Every pass re-derives where it is from Postgres (the row, the environment's stored health, the
// check Jobs found again by their labels), so a worker killed midway leaves nothing the next one
// cannot finish. Verdict: passed (Healthy for the window, checks succeeded) or failed (Degraded, a
// failed check, the timeout); a failure rolls back when the environment says so (./auto-rollback).
import type { Environment, Prisma, Verification } from "../generated/prisma/client";
import type { JobContext } from "../jobs/types";
import type { PromotionDeps } from "../promotions/deps";
import { addEvent } from "../promotions/events";
import { desiredState, type DesiredObject } from "../reconcile/desired";
import { finishHook, readHook, startHook, type StartedHook } from "../reconcile/hooks-run";
import { emitEvent } from "../notifications/emit";
import { hostAllowed } from "../net/outbound-guard";
import { autoRollback } from "./auto-rollback";
import { minutes } from "./start";

export interface Check {
  kind: "job" | "http";
  name: string;
  /** Jobs: the hook key and the live object's uid (found again after a restart). */
  key?: string;
  uid?: string;
  liveName?: string;
  status: "Running" | "Succeeded" | "Failed";
  message: string;
  attempts?: number;
}

export type VerifyDeps = PromotionDeps & { outboundHosts: string[]; tickMs?: number };

const HTTP_ATTEMPTS = 3;
/** Health is read from the stored reconcile; older than this, a reconcile is asked for. */
const FRESH_MS = 2_000;

export async function runVerification(deps: VerifyDeps, environmentId: string, ctx: Pick<JobContext, "signal">): Promise<{ verdicts: number }> {
  let verdicts = 0;
  const rendered = new Map<string, DesiredObject[]>();
  for (;;) {
    if (ctx.signal.aborted) throw new Error("stopping: the verification resumes on the next attempt");
    // A verdict whose follow-up (notification, rollback) a stopped worker did not finish.
    const unfinished = await deps.prisma.verification.findMany({
      where: { environmentId, status: "failed", OR: [{ rollbackStatus: null }, { rollbackStatus: "starting" }] },
      select: { id: true },
    });
    for (const u of unfinished) await recordFailure(deps, u.id);
    const v = await deps.prisma.verification.findFirst({ where: { environmentId, status: "running" }, orderBy: { startedAt: "desc" } });
    if (!v) return { verdicts };
    const verdict = await verifyOnce(deps, v, rendered, ctx.signal);
    if (verdict) {
      verdicts += 1;
      continue;
    }
    await sleep(deps.tickMs ?? 1_000, ctx.signal);
  }
}

/** One pass over a running verification; returns its verdict once there is one. */
export async function verifyOnce(
  deps: VerifyDeps,
  v: Verification,
  rendered: Map<string, DesiredObject[]>,
  signal?: AbortSignal,
): Promise<"passed" | "failed" | null> {
  const { prisma } = deps;
  const env = await prisma.environment.findUnique({ where: { id: v.environmentId } });
  if (!env) return null;
  const run = await prisma.syncRun.findUnique({ where: { id: v.syncRunId } });
  const now = new Date();
  if (run?.status === "degraded")
    return fail(deps, v, env, `the sync ended with objects not healthy: ${run.error ?? "not healthy within the sync's health wait"}`);

  const fresh = env.lastReconciledAt && env.lastReconciledAt > v.startedAt;
  if (!env.lastReconciledAt || now.getTime() - env.lastReconciledAt.getTime() > FRESH_MS)
    await deps.jobs.send("environment.work", { environmentId: env.id, reason: "verification" });
  if (fresh && env.health === "Degraded") return fail(deps, v, env, `${env.name} is Degraded: ${await unhealthy(deps, env.id)}`);

  const healthy = Boolean(fresh) && env.syncedRevision === v.revision && env.health === "Healthy" && env.syncStatus === "Synced";
  const healthySince = healthy ? (v.healthySince ?? now) : null;
  const windowDone = healthySince !== null && now.getTime() - healthySince.getTime() >= v.healthyMinutes * 60_000;
  let checks = (v.checks as unknown as Check[]) ?? [];

  // Check Jobs start once the environment is Healthy (like PostSync hooks) and are followed until they end.
  if (env.verifyJobs && (healthySince || checks.some((c) => c.kind === "job"))) {
    checks = await followJobs(deps, v, env, checks, rendered, signal);
    const bad = checks.find((c) => c.kind === "job" && c.status === "Failed");
    if (bad) {
      await save(deps, v, { checks, healthySince });
      return fail(deps, v, env, `check Job ${bad.name} failed: ${bad.message}`);
    }
  }
  const jobsDone = !env.verifyJobs || (checks.some((c) => c.kind === "job") && checks.filter((c) => c.kind === "job").every((c) => c.status === "Succeeded"));

  // The HTTP check once the window is over and the Jobs passed (a few attempts, then it fails).
  if (env.verifyHttpUrl && windowDone && jobsDone) {
    const http = checks.find((c) => c.kind === "http") ?? {
      kind: "http" as const,
      name: env.verifyHttpUrl,
      status: "Running" as const,
      message: "",
      attempts: 0,
    };
    if (http.status === "Running") {
      const result = await httpCheck(env, deps.outboundHosts, signal);
      http.attempts = (http.attempts ?? 0) + 1;
      http.message = result.message;
      http.status = result.ok ? "Succeeded" : http.attempts >= HTTP_ATTEMPTS ? "Failed" : "Running";
      checks = [...checks.filter((c) => c.kind !== "http"), http];
      if (http.status === "Failed") {
        await save(deps, v, { checks, healthySince });
        return fail(deps, v, env, `HTTP check ${http.name} failed ${HTTP_ATTEMPTS} times: ${http.message}`);
      }
    }
  }
  const httpDone = !env.verifyHttpUrl || checks.some((c) => c.kind === "http" && c.status === "Succeeded");
  if (windowDone && jobsDone && httpDone) {
    await save(deps, v, { checks, healthySince });
    return pass(deps, v, env);
  }
  if (now > v.deadline) {
    const missing = !windowDone
      ? healthySince
        ? `Healthy for ${minutes((now.getTime() - healthySince.getTime()) / 60_000)} of ${minutes(v.healthyMinutes)}`
        : `${env.name} is ${env.syncedRevision === v.revision ? `${env.health}, ${env.syncStatus}` : `at ${env.syncedRevision?.slice(0, 7) ?? "no revision"}`}: ${await unhealthy(deps, env.id)}`
      : !jobsDone
        ? `check Jobs still running: ${
            checks
              .filter((c) => c.status === "Running")
              .map((c) => c.name)
              .join(", ") || "none started"
          }`
        : "the HTTP check did not succeed";
    await save(deps, v, { checks, healthySince });
    return fail(deps, v, env, `timed out after ${minutes(env.verifyTimeoutMinutes)}: ${missing}`);
  }
  await save(deps, v, { checks, healthySince });
  return null;
}

async function followJobs(
  deps: VerifyDeps,
  v: Verification,
  env: Environment,
  checks: Check[],
  rendered: Map<string, DesiredObject[]>,
  signal?: AbortSignal,
): Promise<Check[]> {
  const key = `${v.revision}:${env.path}`;
  if (!rendered.has(key)) {
    const cache = await deps.cacheFor(env.clusterId);
    await deps.ensureRevision?.(env.repositoryId, v.revision);
    const desired = await desiredState({ env, revision: v.revision, mirrorsDir: deps.mirrorsDir, dataDir: deps.dataDir, discovery: cache.discovery });
    rendered.set(
      key,
      desired.hooks.filter((h) => h.hook?.phases.includes("Verify")),
    );
  }
  const defs = rendered.get(key)!;
  const client = (await deps.cacheFor(env.clusterId)).client;
  const out: Check[] = checks.filter((c) => c.kind !== "job");
  if (defs.length === 0)
    return [
      ...out,
      {
        kind: "job",
        name: "(none)",
        status: "Failed",
        message: `no Job annotated tideline.dev/verify: "true" at ${v.revision.slice(0, 7)}, but the environment verifies with check Jobs`,
      },
    ];
  for (const d of defs) {
    const name = `${d.manifest.kind} ${d.manifest.metadata.name}`;
    const prev = checks.find((c) => c.kind === "job" && c.key === d.hook!.key);
    if (prev && prev.status !== "Running") {
      out.push(prev);
      continue;
    }
    if (d.error || !d.type) {
      out.push({ kind: "job", name, key: d.hook!.key, status: "Failed", message: d.error ?? "its kind is not served by the cluster" });
      continue;
    }
    // startHook finds the object an earlier attempt created (label of this verification) instead of creating another.
    let started: StartedHook;
    try {
      started = await startHook(client, d, "Verify", { environmentId: env.id, runKey: `verify-${v.id}`, signal });
    } catch (e) {
      out.push({ kind: "job", name, key: d.hook!.key, status: "Failed", message: `could not be created: ${(e as Error).message}` });
      continue;
    }
    const state = await readHook(client, started);
    if (state.status !== "Running") await finishHook(client, started, state.status, env.id).catch(() => false);
    out.push({ kind: "job", name, key: d.hook!.key, uid: started.uid, liveName: started.name, status: state.status, message: state.message });
  }
  return out;
}

async function httpCheck(env: Environment, allowed: string[], signal?: AbortSignal): Promise<{ ok: boolean; message: string }> {
  let url: URL;
  try {
    url = new URL(env.verifyHttpUrl!);
  } catch {
    return { ok: false, message: "not a valid URL" };
  }
  // The allow-list may have changed since the URL was saved.
  if (!hostAllowed(url, allowed)) return { ok: false, message: `${url.host} is not on TIDELINE_OUTBOUND_HOSTS` };
  const timeout = AbortSignal.timeout(env.verifyHttpTimeoutSeconds * 1000);
  try {
    const res = await fetch(url, { redirect: "manual", signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    await res.body?.cancel();
    return res.status === env.verifyHttpStatus
      ? { ok: true, message: `answered ${res.status}` }
      : { ok: false, message: `answered ${res.status}, expected ${env.verifyHttpStatus}` };
  } catch (e) {
    return { ok: false, message: timeout.aborted ? `no answer within ${env.verifyHttpTimeoutSeconds} s` : (e as Error).message };
  }
}

async function save(deps: VerifyDeps, v: Verification, data: { checks: Check[]; healthySince: Date | null }) {
  await deps.prisma.verification.updateMany({
    where: { id: v.id, status: "running" },
    data: { checks: data.checks as unknown as Prisma.InputJsonValue, healthySince: data.healthySince },
  });
}

async function pass(deps: VerifyDeps, v: Verification, env: Environment): Promise<"passed" | null> {
  const { count } = await deps.prisma.verification.updateMany({
    where: { id: v.id, status: "running" },
    data: { status: "passed", verdict: "passed", finishedAt: new Date(), reason: null },
  });
  if (count === 0) return null;
  await deps.prisma.environment.updateMany({ where: { id: env.id, syncedRevision: v.revision }, data: { verifiedRevision: v.revision } });
  if (v.promotionId)
    await addEvent(
      deps.prisma,
      v.promotionId,
      "tideline",
      "verification_passed",
      `${env.name} verified at ${v.revision.slice(0, 7)}${v.healthyMinutes > 0 ? `: Healthy for ${minutes(v.healthyMinutes)}` : ""}`,
    );
  return "passed";
}

async function fail(deps: VerifyDeps, v: Verification, env: Environment, reason: string): Promise<"failed" | null> {
  const { prisma } = deps;
  const { count } = await prisma.verification.updateMany({
    where: { id: v.id, status: "running" },
    data: { status: "failed", verdict: "failed", reason, finishedAt: new Date() },
  });
  if (count === 0) return null;
  await recordFailure(deps, v.id);
  return "failed";
}

/**
 * What follows a failed verdict, each step idempotent (a job retried after a crash runs them again):
 * the promotion fails with the reason, one notification, then the rollback when the environment asks for it.
 */
export async function recordFailure(deps: VerifyDeps, verificationId: string) {
  const { prisma } = deps;
  const v = await prisma.verification.findUniqueOrThrow({ where: { id: verificationId }, include: { environment: { include: { application: true } } } });
  const env = v.environment;
  if (v.promotionId) {
    const p = await prisma.promotion.findUnique({ where: { id: v.promotionId } });
    if (p && ["merged", "syncing", "succeeded", "landed_degraded"].includes(p.status)) {
      await prisma.promotion.update({
        where: { id: p.id },
        data: { status: "failed", error: `verification failed: ${v.reason}`, finishedAt: p.finishedAt ?? new Date() },
      });
      await addEvent(prisma, p.id, "tideline", "verification_failed", v.reason ?? "");
    }
  }
  await emitEvent(prisma, {
    type: "verification.failed",
    environmentId: env.id,
    applicationId: env.applicationId,
    link: `/environments/${env.id}`,
    dedupeKey: `verification.failed:${v.id}`,
    title: `Verification of ${env.application.name}/${env.name} at ${v.revision.slice(0, 7)} failed`,
    body: `${v.reason}${env.autoRollback ? "" : " (automatic rollback is off)"}`,
    data: { verificationId: v.id, syncRunId: v.syncRunId, revision: v.revision },
  });
  await autoRollback(deps, v.id);
}

async function unhealthy(deps: VerifyDeps, environmentId: string): Promise<string> {
  const rows = await deps.prisma.resourceState.findMany({
    where: { environmentId, health: { notIn: ["Healthy", "Suspended"] }, syncStatus: { not: "Extraneous" } },
    orderBy: [{ kind: "asc" }, { name: "asc" }],
    take: 4,
  });
  if (rows.length === 0) return "no object reported why";
  return (
    rows
      .slice(0, 3)
      .map((r) => `${r.kind}/${r.name} ${r.health}${r.healthMessage ? ` (${r.healthMessage})` : ""}`)
      .join("; ") + (rows.length > 3 ? "; …" : "")
  );
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
  });

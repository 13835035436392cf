// Makes the cluster match Git for one environment: PreSync hooks, then the sync waves (objects by
// server-side apply, Sync hooks), each wave gated on the health of the one before, prune (only objects
// in this environment's inventory), PostSync hooks once everything is healthy, SyncFail hooks when it
// fails. Every step and what it waits for is written to the SyncRun as it happens, so progress shows
// live and a failure midway is never unrecorded.
import type { Prisma, PrismaClient } from "../generated/prisma/client";
import type { ClusterCache } from "../kube/cluster-cache";
import { AppError } from "../errors";
import { assessHealth } from "../kube/health";
import { KubeError, kubeRequest } from "../kube/transport";
import { deleteObject, serverSideApply } from "./apply";
import { planWaveGroups } from "./sync-order";
import { environmentPolicy, type EnvironmentPolicy } from "../projects/load";
import { INVENTORY_LABEL, projectError } from "./desired";
import { finishHook, readHook, startHook, type StartedHook } from "./hooks-run";
import type { HookPhase } from "./hooks";
import { recordSync } from "../metrics/record";
import type { DesiredObject } from "./desired";
import type { ObjectReport } from "./drift";

export interface SyncOutcome {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  action: "applied" | "unchanged" | "pruned" | "failed" | "skipped";
  message: string;
  health?: string;
  healthMessage?: string;
  /** The step that applied it: hook phase (or Sync) and sync wave. */
  phase?: SyncPhase;
  wave?: number;
  /** Set for hooks: the phase it ran in, how it ended, and whether its delete policy removed it. */
  hook?: { phase: HookPhase; status: "Succeeded" | "Failed" | "TimedOut" | "Skipped"; deleted: boolean; adopted?: boolean };
  /** The live object's resourceVersion after an apply (lets the next reconcile reuse the verdict). */
  resourceVersion?: string;
  /** The API server could not be reached for this object: the job retries the sync with backoff. */
  retryable?: boolean;
  at: string;
}

export interface SyncRequest {
  prisma: PrismaClient;
  cache: ClusterCache;
  environmentId: string;
  revision: string;
  desired: DesiredObject[];
  reports: ObjectReport[];
  trigger: "manual" | "auto" | "self-heal" | "rollback";
  /** The environment's namespace, created first when missing (like Argo CD's CreateNamespace). */
  namespace: string;
  actorName: string;
  prune: boolean;
  allowEmpty: boolean;
  /** Only these objects (ids from drift.idOf); all when absent. */
  only?: Set<string>;
  /** Sync hooks of the render (DesiredState.hooks); not run by a selective sync (like Argo CD). */
  hooks?: DesiredObject[];
  /** How long one wave (or hook phase wave) may take to become healthy before the sync fails. */
  healthTimeoutMs?: number;
  /** How long a wave with hooks may wait for them to finish (default 10 minutes). */
  hookTimeoutMs?: number;
  /** Called as objects are applied and their health changes, so the environment's object list follows the sync. */
  onProgress?: (results: SyncOutcome[]) => Promise<void>;
  /** A SyncRun already claimed as "running" by the job engine (created here when absent). */
  runId?: string;
  /** Aborted when the job lost its claim (heartbeat lapsed, process stopping): stop between objects. */
  signal?: AbortSignal;
}

export type SyncPhase = "PreSync" | "Sync" | "PostSync" | "SyncFail";

/** What a running sync is doing, on SyncRun.progress (the environment page's "Syncing: ..." line). */
export interface SyncProgress {
  phase: SyncPhase | "Prune" | "Done";
  /** 1-based position among all the sync's steps (hook phases' waves and sync waves). */
  step: number;
  steps: number;
  wave: number | null;
  state: "applying" | "waiting" | "finished";
  waitingFor: Array<{ kind: string; name: string; health: string; message: string }>;
  message: string;
  since: string;
  deadline?: string;
}

export interface SyncResult {
  runId: string;
  status: string;
  results: SyncOutcome[];
}

const key = (o: { apiVersion: string; kind: string; namespace: string; name: string }) => `${o.apiVersion}|${o.kind}|${o.namespace}|${o.name}`;
const idOfDesired = (d: DesiredObject) => ({
  apiVersion: d.manifest.apiVersion,
  kind: d.manifest.kind,
  namespace: d.manifest.metadata.namespace ?? "",
  name: d.manifest.metadata.name,
});

export async function syncEnvironment(req: SyncRequest): Promise<SyncResult> {
  const { prisma } = req;
  const started = performance.now();
  const run = req.runId
    ? await prisma.syncRun.update({ where: { id: req.runId }, data: { revision: req.revision, prune: req.prune } })
    : await prisma.syncRun.create({
        data: {
          environmentId: req.environmentId,
          trigger: req.trigger,
          revision: req.revision,
          actorName: req.actorName,
          status: "running",
          prune: req.prune,
          workerName: process.env.TIDELINE_WORKER_NAME ?? null,
        },
      });
  const results: SyncOutcome[] = [];
  let progress: SyncProgress | null = null;
  // Progress is written at most every 300 ms (and at the end), so a 1,000-object sync
  // does not rewrite its growing result list 1,000 times. Each write also checks that this
  // run is still ours: a run marked interrupted (its job was taken over) stops here.
  let lastFlush = 0;
  const flush = async () => {
    lastFlush = Date.now();
    const { count } = await prisma.syncRun.updateMany({
      where: { id: run.id, status: "running" },
      data: { results: results as unknown as Prisma.InputJsonValue, progress: (progress ?? undefined) as unknown as Prisma.InputJsonValue },
    });
    if (count === 0) throw new AppError("conflict", "This sync run was taken over by another worker; stopping");
  };
  const checkClaim = () => {
    if (req.signal?.aborted) throw new AppError("conflict", "The sync job lost its claim (worker stopping or heartbeat lapsed); another worker resumes it");
  };
  const record = async (o: Omit<SyncOutcome, "at">): Promise<SyncOutcome> => {
    checkClaim();
    const outcome = { ...o, at: new Date().toISOString() };
    results.push(outcome);
    if (Date.now() - lastFlush > 300 || o.action === "failed") await flush();
    return outcome;
  };
  const setProgress = async (p: Omit<SyncProgress, "since">, force = false) => {
    const since = progress && progress.step === p.step && progress.state === p.state ? progress.since : new Date().toISOString();
    progress = { ...p, since };
    if (force || Date.now() - lastFlush > 1_000) await flush();
  };
  // The object list is rewritten only when what it shows changed (an object applied, a health moved).
  let lastShown = 0;
  let shown = "";
  const showObjects = async (force = false) => {
    if (!req.onProgress || (!force && Date.now() - lastShown < 1_500)) return;
    const now = results.map((r) => `${r.action}:${r.health ?? ""}:${r.healthMessage ?? ""}`).join("|");
    if (now === shown) return;
    lastShown = Date.now();
    shown = now;
    await req.onProgress(results);
  };
  const status = new Map(req.reports.map((r) => [key(r), r]));
  const selected = (o: { apiVersion: string; kind: string; namespace: string; name: string }) => !req.only || req.only.has(key(o));
  let failed = 0;
  try {
    // An environment whose source or destination left its project applies nothing (not even its namespace).
    const policy = await environmentPolicy(prisma, req.environmentId);
    if (policy?.environmentError) throw new AppError("invalid", `Sync blocked: ${policy.environmentError}`);
    // Hooks are not compared, so the project's rules are checked on them here (objects got theirs in the compare).
    const hooks = runsHooks(req) ? (req.hooks ?? []) : [];
    for (const h of hooks)
      h.error = (h.renderError !== undefined ? h.renderError : h.error) ?? (policy && h.type ? projectError(policy, h.manifest, h.type) : null);
    const wanted = req.desired.filter((d) => selected(idOfDesired(d)));
    // Nothing is applied while any object (or, for a selective sync, any selected one) is refused:
    // each refusal is recorded on the run with its reason (namespace guard, project rule, ownership).
    // A kind the cluster does not serve (CRD not installed) is not a refusal: it is skipped, and the run ends partial.
    const blocked = [...wanted, ...hooks].filter((d) => d.error && d.type);
    if (blocked.length > 0) {
      for (const d of blocked) results.push({ ...idOfDesired(d), action: "failed", message: d.error!, at: new Date().toISOString() });
      // The first refusal names its object: the run's error is what a failed promotion or rollback shows.
      const first = idOfDesired(blocked[0]!);
      throw new AppError("invalid", `Sync blocked: ${blocked.length} object(s) cannot be applied (${first.kind}/${first.name}: ${blocked[0]!.error})`);
    }
    // (A custom resource whose CRD this sync applies waits for it instead: see resolveLate.)
    for (const d of [...wanted, ...hooks].filter((d) => !d.type && !(d.awaitsCrd && !d.hook))) {
      await record({
        ...idOfDesired(d),
        action: "skipped",
        message: `not applied: ${d.error ?? `the cluster does not serve ${d.manifest.apiVersion} ${d.manifest.kind}`}`,
      });
    }
    const runnable = hooks.filter((h) => h.type && !h.error);
    for (const h of runnable.filter((h) => h.hook!.phases.includes("Skip"))) {
      await record({ ...idOfDesired(h), action: "skipped", message: "hook Skip: never applied", hook: { phase: "Skip", status: "Skipped", deleted: false } });
    }
    const inPhase = (p: HookPhase) => runnable.filter((h) => !h.hook!.phases.includes("Skip") && h.hook!.phases.includes(p));
    const stepsOf = (phase: SyncPhase, objects: DesiredObject[]) => planWaveGroups(objects).map((g) => ({ phase, wave: g.wave, objects: g.objects }));
    const ordinary = wanted.filter((d) => (d.type || d.awaitsCrd) && !d.error);
    const main = [...stepsOf("PreSync", inPhase("PreSync")), ...stepsOf("Sync", [...ordinary, ...inPhase("Sync")])];
    const post = stepsOf("PostSync", inPhase("PostSync"));
    const onFail = stepsOf("SyncFail", inPhase("SyncFail"));
    const total = main.length + post.length;
    const runKey = await rootRunId(prisma, run);

    await ensureNamespace(req, record);
    // Why later steps do not run: a failed apply, a failed hook, or a wave not healthy in time.
    let stopped: string | null = null;
    let failure: string | null = null;
    let unhealthy: string | null = null;
    const runSteps = async (steps: typeof main, offset: number, count: number) => {
      for (const [i, step] of steps.entries()) {
        const n = offset + i + 1;
        if (stopped) {
          for (const d of step.objects)
            await record({ ...idOfDesired(d), action: "skipped", message: `not applied: ${stopped}`, phase: step.phase, wave: step.wave });
          continue;
        }
        const outcome = await runStep(req, step, { n, count, runKey, record, setProgress, showObjects, status, checkClaim, policy });
        failed += outcome.failed;
        if (outcome.failed > 0) stopped = `an earlier wave failed (${outcome.failed} object(s) in ${stepName(step, n, count)})`;
        else if (outcome.hookFailure) stopped = failure = `${stepName(step, n, count)}: ${outcome.hookFailure}`;
        else if (outcome.unhealthy) {
          if (n < count)
            stopped =
              failure = `${stepName(step, n, count)} was not healthy within ${Math.round(outcome.timeoutMs / 1000)} s (${outcome.unhealthy}); later waves were not applied`;
          else unhealthy = outcome.unhealthy;
        }
      }
    };
    await runSteps(main, 0, total);

    // An object this environment applied before its manifest became a hook is taken over by the hook, not pruned.
    const hookIds = new Set(hooks.map((h) => key(idOfDesired(h))));
    const extraneous = req.reports.filter((r) => r.syncStatus === "Extraneous" && selected(r) && !hookIds.has(key(r)));
    const emptyRender = req.desired.length === 0;
    if (req.prune && extraneous.length > 0) {
      await setProgress({
        phase: "Prune",
        step: main.length,
        steps: total,
        wave: null,
        state: "applying",
        waitingFor: [],
        message: `pruning ${extraneous.length} object(s)`,
      });
      if (stopped) {
        for (const r of extraneous) await record({ ...r, action: "skipped", message: `not pruned: ${stopped}` });
      } else if (emptyRender && !req.allowEmpty) {
        for (const r of extraneous)
          await record({ ...r, action: "skipped", message: "not pruned: Git rendered no objects (allow empty renders to prune everything)" });
      } else {
        for (const r of extraneous) {
          try {
            const type = await req.cache.discovery.resolve(r.apiVersion, r.kind);
            await deleteObject(req.cache.client, type, r.namespace || undefined, r.name, req.environmentId);
            await record({ ...r, action: "pruned", message: "deleted: no longer in Git" });
          } catch (e) {
            failed += 1;
            await record({ ...r, action: "failed", message: `prune failed: ${e instanceof AppError ? e.message : String(e)}` });
          }
        }
      }
    }
    // PostSync hooks run only once everything is healthy (Argo CD): the last sync wave's gate failed the sync otherwise.
    await runSteps(post, main.length, total);

    const skipped = results.filter((r) => r.action === "skipped" && r.hook?.phase !== "Skip");
    const named = (list: SyncOutcome[]) =>
      list
        .slice(0, 5)
        .map((r) => `${r.kind} ${r.name} (${r.message.replace(/^not applied: /, "")})`)
        .join("; ") + (list.length > 5 ? `; and ${list.length - 5} more` : "");
    let final: string;
    let error: string | null;
    if (failure) [final, error] = ["failed", failure];
    else if (failed > 0) [final, error] = [results.some((r) => r.action === "applied") ? "partial" : "failed", `${failed} object(s) failed`];
    else if (skipped.length > 0)
      [final, error] = [
        "partial",
        `${skipped.length} object(s) not applied: ${named(skipped)}${unhealthy ? `; not healthy within the timeout: ${unhealthy}` : ""}`,
      ];
    else if (unhealthy) [final, error] = ["degraded", `objects applied but not healthy within the timeout: ${unhealthy}`];
    else [final, error] = ["succeeded", null];
    // SyncFail hooks run when the sync failed (not when it only ended unhealthy or skipped unserved kinds).
    if ((failure || failed > 0) && onFail.length) {
      stopped = null;
      const before = results.length;
      await runSteps(onFail, 0, onFail.length);
      const bad = results.slice(before).filter((r) => r.action === "failed");
      if (bad.length) error += `; SyncFail hook failed: ${named(bad)}`;
    }
    await setProgress({ phase: "Done", step: total, steps: total, wave: null, state: "finished", waitingFor: [], message: final }, true);
    const { count } = await prisma.syncRun.updateMany({
      where: { id: run.id, status: "running" },
      data: {
        status: final,
        finishedAt: new Date(),
        results: results as unknown as Prisma.InputJsonValue,
        progress: progress as unknown as Prisma.InputJsonValue,
        error,
      },
    });
    if (count === 0) throw new AppError("conflict", "This sync run was taken over by another worker; stopping");
    if (!failure && failed === 0) await prisma.environment.update({ where: { id: req.environmentId }, data: { syncedRevision: req.revision } });
    recordSync(req.environmentId, req.trigger, final, started);
    return { runId: run.id, status: final, results };
  } catch (e) {
    // A lost claim leaves the run "running" for the next attempt to mark interrupted and resume;
    // a run taken over keeps the record its new owner wrote; any other failure is recorded here.
    if (req.signal?.aborted) throw e;
    recordSync(req.environmentId, req.trigger, e instanceof AppError && e.code === "conflict" ? "interrupted" : "failed", started);
    await prisma.syncRun.updateMany({
      where: { id: run.id, status: "running" },
      data: {
        status: "failed",
        finishedAt: new Date(),
        results: results as unknown as Prisma.InputJsonValue,
        error: e instanceof AppError ? e.message : String(e),
      },
    });
    throw e;
  }
}

/**
 * A selective sync runs no hooks (Argo CD), but a selection that covers every object differing from Git
 * (what the sync panel preselects) is the whole sync: its hooks run. Extraneous and refused objects may be left out.
 */
export function runsHooks(req: Pick<SyncRequest, "only" | "reports">): boolean {
  return !req.only || req.reports.filter((r) => r.syncStatus === "OutOfSync" || r.syncStatus === "Missing").every((r) => req.only!.has(key(r)));
}

const stepName = (step: { phase: SyncPhase; wave: number }, n: number, count: number) =>
  `${step.phase === "Sync" ? "" : `${step.phase} hooks, `}wave ${n} of ${count}${step.wave !== 0 ? ` (sync-wave ${step.wave})` : ""}`;

/** The first run of a resumed chain: hook objects carry it, so a resumed run finds them again. */
async function rootRunId(prisma: PrismaClient, run: { id: string; resumedFromId: string | null }): Promise<string> {
  let id = run.id;
  let from = run.resumedFromId;
  for (let i = 0; from && i < 50; i++) {
    const prev = await prisma.syncRun.findUnique({ where: { id: from }, select: { id: true, resumedFromId: true } });
    if (!prev) break;
    id = prev.id;
    from = prev.resumedFromId;
  }
  return id;
}

interface StepContext {
  n: number;
  count: number;
  runKey: string;
  record: (o: Omit<SyncOutcome, "at">) => Promise<SyncOutcome>;
  setProgress: (p: Omit<SyncProgress, "since">, force?: boolean) => Promise<void>;
  showObjects: (force?: boolean) => Promise<void>;
  status: Map<string, ObjectReport>;
  checkClaim: () => void;
  policy: EnvironmentPolicy | null;
}

/**
 * One wave: apply its objects and start its hooks, then wait until the objects are healthy and the
 * hooks finished (or the timeout passes), showing what is awaited on the run as it goes.
 */
async function runStep(req: SyncRequest, step: { phase: SyncPhase; wave: number; objects: DesiredObject[] }, ctx: StepContext) {
  const name = stepName(step, ctx.n, ctx.count);
  const where = { phase: step.phase, wave: step.wave };
  await ctx.setProgress(
    {
      phase: step.phase,
      step: ctx.n,
      steps: ctx.count,
      wave: step.wave,
      state: "applying",
      waitingFor: [],
      message: `${name}: applying ${step.objects.length} object(s)`,
    },
    true,
  );
  const gate: SyncOutcome[] = [];
  const hooks: StartedHook[] = [];
  let failed = 0;
  let hookFailure: string | null = null;
  const client = req.cache.client;
  for (const listed of step.objects) {
    let d = listed;
    if (!d.type) {
      const late = await resolveLate(req, d, ctx.policy);
      if ("d" in late) d = late.d;
      else {
        if (late.action === "failed") failed += 1;
        await ctx.record({ ...idOfDesired(d), ...where, action: late.action, message: late.message });
        continue;
      }
    }
    const id = idOfDesired(d);
    if (d.hook) {
      const phase = step.phase as HookPhase;
      try {
        hooks.push(await startHook(client, d, phase, { environmentId: req.environmentId, runKey: ctx.runKey, signal: req.signal }));
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        hookFailure ??= `${phase} hook ${d.manifest.kind} ${d.manifest.metadata.name} could not be created: ${message}`;
        await ctx.record({
          ...id,
          ...where,
          action: "failed",
          message: `${phase} hook not created: ${message}`,
          hook: { phase, status: "Failed", deleted: false },
        });
      }
      continue;
    }
    if (ctx.status.get(key(id))?.syncStatus === "Synced") {
      gate.push(await ctx.record({ ...id, ...where, action: "unchanged", message: "already matches Git" }));
      continue;
    }
    try {
      const applied = await serverSideApply(client, d.type!, d.manifest, { dryRun: false });
      const h = assessHealth(applied);
      gate.push(
        await ctx.record({
          ...id,
          ...where,
          action: "applied",
          message: ctx.status.get(key(id))?.syncStatus === "Missing" ? "created" : "configured",
          resourceVersion: applied.metadata?.resourceVersion,
          health: h.status,
          healthMessage: h.message,
        }),
      );
    } catch (e) {
      if (e instanceof AppError && e.message.startsWith("The sync job lost its claim")) throw e;
      failed += 1;
      await ctx.record({
        ...id,
        ...where,
        action: "failed",
        message: e instanceof AppError ? e.message : String(e),
        retryable: e instanceof AppError && e.code === "unreachable",
      });
    }
  }
  if (failed > 0) return { failed, hookFailure, unhealthy: null, timeoutMs: 0 };
  await ctx.showObjects(true);
  return waitForStep(req, step, ctx, { name, gate, hooks, hookFailure });
}

/**
 * A custom resource whose CustomResourceDefinition came in this sync (its wave is gated on the CRD being
 * Established): resolved now, placed in the environment's namespace, checked against the project and
 * against an existing object of another owner, as the render and the compare do for other objects.
 */
async function resolveLate(
  req: SyncRequest,
  d: DesiredObject,
  policy: EnvironmentPolicy | null,
): Promise<{ d: DesiredObject } | { action: "skipped" | "failed"; message: string }> {
  const { apiVersion, kind } = d.manifest;
  const deadline = Date.now() + 30_000;
  let type;
  for (;;) {
    try {
      type = await req.cache.discovery.resolve(apiVersion, kind);
      break;
    } catch (e) {
      if (Date.now() > deadline)
        return {
          action: "skipped",
          message: `not applied: ${e instanceof Error ? e.message : String(e)}; its CustomResourceDefinition was applied but the kind is not served yet (the next sync applies it)`,
        };
      req.cache.discovery.forget(); // the group's resource list was read before the CRD existed
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const manifest = structuredClone(d.manifest);
  if (type.namespaced) {
    manifest.metadata.namespace ??= req.namespace;
    if (manifest.metadata.namespace !== req.namespace)
      return {
        action: "failed",
        message: `${kind} ${manifest.metadata.name} is in namespace ${manifest.metadata.namespace}, which this environment does not own (it owns ${req.namespace})`,
      };
  } else delete manifest.metadata.namespace;
  const refused = policy ? projectError(policy, manifest, type) : null;
  if (refused) return { action: "failed", message: refused };
  const live = await req.cache.get(apiVersion, kind, manifest.metadata.namespace, manifest.metadata.name).catch(() => null);
  const owner = live?.metadata.labels?.[INVENTORY_LABEL];
  if (live && owner !== req.environmentId)
    return {
      action: "failed",
      message: `${kind} ${manifest.metadata.name} already exists and is not in this environment's inventory (label ${INVENTORY_LABEL}=${owner ?? "absent"}); not overwritten`,
    };
  return { d: { ...d, manifest, type } };
}

const settled = (health: string | undefined) => health === "Healthy" || health === "Suspended";

/**
 * The gate after a wave: every applied object Healthy (or Suspended, kstatus-style) and every hook
 * finished, or the timeout. Hook outcomes are recorded (and their delete policies applied) as they end.
 */
async function waitForStep(
  req: SyncRequest,
  step: { phase: SyncPhase; wave: number },
  ctx: StepContext,
  w: { name: string; gate: SyncOutcome[]; hooks: StartedHook[]; hookFailure: string | null },
): Promise<{ failed: number; hookFailure: string | null; unhealthy: string | null; timeoutMs: number }> {
  const timeoutMs = w.hooks.length ? (req.hookTimeoutMs ?? 600_000) : (req.healthTimeoutMs ?? 120_000);
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(w.hooks);
  let hookFailure = w.hookFailure;
  const client = req.cache.client;
  const endHook = async (h: StartedHook, status: "Succeeded" | "Failed" | "TimedOut", message: string) => {
    pending.delete(h);
    const deleted = await finishHook(client, h, status === "Succeeded" ? "Succeeded" : "Failed", req.environmentId).catch(() => false);
    const policy = deleted ? `; deleted (${status === "Succeeded" ? "HookSucceeded" : "HookFailed"})` : "";
    const verb = { Succeeded: "succeeded", Failed: "failed", TimedOut: `did not finish within ${Math.round(timeoutMs / 1000)} s` }[status];
    await ctx.record({
      apiVersion: h.d.manifest.apiVersion,
      kind: h.d.manifest.kind,
      namespace: h.d.manifest.metadata.namespace ?? "",
      name: h.name,
      phase: step.phase,
      wave: step.wave,
      action: status === "Succeeded" ? "applied" : "failed",
      message: `${h.phase} hook ${verb}${message ? `: ${message}` : ""}${h.adopted ? " (found again after an interrupted attempt)" : ""}${policy}`,
      hook: { phase: h.phase, status, deleted, ...(h.adopted ? { adopted: true } : {}) },
    });
    if (status !== "Succeeded") hookFailure ??= `${h.phase} hook ${h.d.manifest.kind} ${h.name} ${verb}${message ? `: ${message}` : ""}`;
  };
  while (true) {
    const waiting: SyncProgress["waitingFor"] = [];
    for (const h of [...pending]) {
      const s = await readHook(client, h);
      if (s.status === "Running") waiting.push({ kind: h.d.manifest.kind, name: h.name, health: "Progressing", message: s.message });
      else await endHook(h, s.status, s.message);
    }
    if (!hookFailure) {
      for (const o of w.gate) {
        const live = await req.cache.get(o.apiVersion, o.kind, o.namespace || undefined, o.name);
        const h = assessHealth(live);
        o.health = h.status;
        o.healthMessage = h.message;
        if (!settled(h.status)) waiting.push({ kind: o.kind, name: o.name, health: h.status, message: h.message });
      }
    }
    const describe =
      waiting
        .slice(0, 3)
        .map((x) => `${x.kind} ${x.name}${x.message ? ` (${x.message})` : ""}`)
        .join(", ") + (waiting.length > 3 ? ` and ${waiting.length - 3} more` : "");
    if (pending.size === 0 && (hookFailure || waiting.length === 0)) return { failed: 0, hookFailure, unhealthy: null, timeoutMs };
    if (Date.now() > deadline) {
      for (const h of [...pending]) await endHook(h, "TimedOut", "");
      await ctx.showObjects(true);
      return { failed: 0, hookFailure, unhealthy: hookFailure ? null : describe, timeoutMs };
    }
    ctx.checkClaim();
    await ctx.setProgress({
      phase: step.phase,
      step: ctx.n,
      steps: ctx.count,
      wave: step.wave,
      state: "waiting",
      waitingFor: waiting,
      message: `${w.name}: waiting for ${describe}`,
      deadline: new Date(deadline).toISOString(),
    });
    await ctx.showObjects();
    await new Promise((r) => setTimeout(r, 500));
  }
}
async function ensureNamespace(req: SyncRequest, record: (o: Omit<SyncOutcome, "at">) => Promise<unknown>) {
  const type = await req.cache.discovery.resolve("v1", "Namespace");
  try {
    await kubeRequest(req.cache.client, "GET", `/api/v1/namespaces/${encodeURIComponent(req.namespace)}`);
  } catch (e) {
    if (!(e instanceof KubeError && e.failure === "not_found")) throw e;
    if (req.desired.some((d) => d.manifest.kind === "Namespace" && d.manifest.metadata.name === req.namespace)) return;
    await serverSideApply(req.cache.client, type, { apiVersion: "v1", kind: "Namespace", metadata: { name: req.namespace } }, { dryRun: false });
    await record({
      apiVersion: "v1",
      kind: "Namespace",
      namespace: "",
      name: req.namespace,
      action: "applied",
      message: "created the environment's namespace",
    });
  }
}

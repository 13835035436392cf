// Following work the server does in the background: a sync run from queued to its outcome
// (through the runs that resume an interrupted one), printing each object as it is done.
import type { Api } from "./client";
import { CliError, EXIT } from "./errors";

export interface SyncOutcome {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  action: string;
  message: string;
  health?: string;
  at?: string;
}

export interface SyncRun {
  id: string;
  environmentId: string;
  status: string;
  trigger: string;
  revision: string;
  actorName: string;
  prune: boolean;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  results: SyncOutcome[];
  resumedFromId: string | null;
  workerName: string | null;
}

export const FINISHED = new Set(["succeeded", "failed", "partial", "degraded", "interrupted"]);
export const POLL_MS = 200;

export class WaitTimeout extends CliError {
  constructor(what: string, ms: number) {
    super(`Timed out after ${formatMs(ms)} waiting for ${what}; it goes on on the server`, EXIT.failed);
  }
}

const formatMs = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const objectName = (o: Pick<SyncOutcome, "kind" | "namespace" | "name">) => `${o.kind}/${o.namespace ? `${o.namespace}/` : ""}${o.name}`;

export interface WaitHooks {
  onStatus?(run: SyncRun, previous: string | null): void;
  onObject?(outcome: SyncOutcome): void;
  onResumed?(from: SyncRun, to: string): void;
}

/** Polls the run until it finishes; an interrupted run is followed to the run that resumes it. */
export async function waitForSyncRun(api: Api, runId: string, timeoutMs: number, hooks: WaitHooks = {}): Promise<SyncRun> {
  const deadline = Date.now() + timeoutMs;
  let id = runId;
  let status: string | null = null;
  let seen = 0;
  for (;;) {
    const { run } = await api.get<{ run: SyncRun }>(`/api/sync-runs/${encodeURIComponent(id)}`);
    if (run.status !== status) {
      hooks.onStatus?.(run, status);
      status = run.status;
    }
    for (const outcome of run.results.slice(seen)) hooks.onObject?.(outcome);
    seen = Math.max(seen, run.results.length);
    const resumes = willResume(run);
    if (resumes || run.status === "failed" || run.status === "interrupted") {
      // A run the engine retries (failed "...; retried") or resumes after a crash (interrupted) has a successor.
      const next = resumes ? await resumedBy(api, run) : null;
      if (next) {
        hooks.onResumed?.(run, next);
        // The successor records its objects again from the start.
        [id, status, seen] = [next, null, 0];
        continue;
      }
      if (!resumes) return run;
    } else if (FINISHED.has(run.status)) return run;
    if (Date.now() >= deadline) throw new WaitTimeout(`sync run ${runId}`, timeoutMs);
    await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
  }
}

/** The engine's own words: an interrupted manual run says "Resumed as run X"; a requeued one ends "; retried". */
const willResume = (run: SyncRun) =>
  (run.status === "interrupted" && /Resumed as run /.test(run.error ?? "")) || (run.status === "failed" && /; retried$/.test(run.error ?? ""));

async function resumedBy(api: Api, run: SyncRun): Promise<string | null> {
  const { items } = await api.get<{ items: SyncRun[] }>(`/api/environments/${encodeURIComponent(run.environmentId)}/syncs`);
  return items.find((r) => r.resumedFromId === run.id)?.id ?? null;
}

/** Polls `read` until `done` says so, or throws WaitTimeout. */
export async function pollUntil<T>(what: string, timeoutMs: number, read: () => Promise<T>, done: (v: T) => boolean, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() >= deadline) throw new WaitTimeout(what, timeoutMs);
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

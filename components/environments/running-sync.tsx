"use client";
// The header line of a sync in progress: phase and wave, what it waits for, and hooks so far.
import { relativeTime } from "../ui";

export interface RunningSyncView {
  id: string;
  status: "queued" | "running";
  actorName: string;
  startedAt: string;
  summary: string;
  progress: { deadline?: string; waitingFor: Array<{ kind: string; name: string; health: string; message: string }> } | null;
  hooks: Array<{ kind: string; name: string; phase: string; status: string; message: string }>;
}

export function RunningSync({ run }: { run: RunningSyncView }) {
  return (
    <div className="rounded border border-sky-200 bg-sky-50 p-3 text-sm text-sky-900" data-testid="running-sync">
      <p>
        <strong data-testid="running-sync-summary">{run.summary}</strong> · started {relativeTime(run.startedAt)} by {run.actorName}
        {run.progress?.deadline ? ` · times out in ${Math.max(0, Math.round((new Date(run.progress.deadline).getTime() - Date.now()) / 1000))} s` : ""}
      </p>
      {run.hooks.length > 0 && (
        <ul className="mt-1 font-mono text-xs">
          {run.hooks.map((h, i) => (
            <li key={i} className={h.status === "Failed" || h.status === "TimedOut" ? "text-rose-700" : ""}>
              {h.phase} hook {h.kind}/{h.name}: {h.status}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

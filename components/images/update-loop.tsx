"use client";
// One image update as a loop: image detected -> commit (or change request) -> synced in the cluster,
// each step with its time and how long it took since the previous one.
import Link from "next/link";
import { shortSha } from "../ui";
import { formatDuration, type ImageUpdate } from "./types";

const STATUS_STYLE: Record<ImageUpdate["status"], string> = {
  pending: "bg-sky-100 text-sky-800",
  committed: "bg-amber-100 text-amber-800",
  change_request: "bg-violet-100 text-violet-800",
  synced: "bg-emerald-100 text-emerald-800",
  failed: "bg-rose-100 text-rose-800",
  skipped: "bg-slate-100 text-slate-700",
};

const time = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "");

function Step({ label, done, children }: { label: string; done: boolean; children?: React.ReactNode }) {
  return (
    <div className={`min-w-44 rounded border px-2 py-1 ${done ? "border-emerald-200 bg-emerald-50" : "border-dashed border-slate-300 text-slate-400"}`}>
      <div className="text-xs font-medium uppercase tracking-wide">{label}</div>
      <div className="text-xs">{children}</div>
    </div>
  );
}

export function UpdateLoop({ update: u }: { update: ImageUpdate }) {
  const wrote = Boolean(u.committedAt && (u.commitSha || u.changeRequest));
  return (
    <li className="rounded border border-slate-200 bg-white p-3 text-sm" data-testid={`update-${u.environment}-${u.tag}`}>
      <div className="flex flex-wrap items-baseline gap-2">
        <span className="font-mono">
          {u.previousTag ?? "?"} → {u.tag}
        </span>
        <span className="text-slate-600">
          in {u.application}/{u.environment}
        </span>
        <span data-testid="update-status" className={`rounded px-2 py-0.5 text-xs font-medium ${STATUS_STYLE[u.status]}`}>
          {u.status.replace("_", " ")}
        </span>
        <span className="text-xs text-slate-500">via {u.trigger}</span>
      </div>
      <div className="mt-2 flex flex-wrap items-stretch gap-2">
        <Step label="Image detected" done>
          {time(u.detectedAt)}
          {u.digest && (
            <div className="font-mono" title={u.digest}>
              {u.digest.slice(0, 19)}…
            </div>
          )}
        </Step>
        <span className="self-center text-slate-400">→</span>
        <Step label={u.changeRequest ? "Change request" : "Commit"} done={wrote}>
          {u.changeRequest ? (
            <Link data-testid="change-link" href={`/changes/${u.changeRequest.id}`} className="text-sky-700 hover:underline">
              #{u.changeRequest.number} ({u.changeRequest.status})
            </Link>
          ) : u.commitSha && u.repositoryId ? (
            <Link data-testid="commit-link" href={`/repositories/${u.repositoryId}/commits/${u.commitSha}`} className="font-mono text-sky-700 hover:underline">
              {shortSha(u.commitSha)}
            </Link>
          ) : null}
          {wrote && (
            <div>
              {time(u.committedAt)} · +{formatDuration(u.durations.toCommitMs)}
            </div>
          )}
          {u.branch && <div className="text-slate-500">branch {u.branch}</div>}
        </Step>
        <span className="self-center text-slate-400">→</span>
        <Step label="Synced" done={Boolean(u.syncedAt)}>
          {u.syncedAt ? (
            <>
              {time(u.syncedAt)} · +{formatDuration(u.durations.commitToSyncMs)}
              <div>total {formatDuration(u.durations.totalMs)}</div>
            </>
          ) : wrote ? (
            "waiting for a successful sync"
          ) : (
            ""
          )}
        </Step>
      </div>
      {u.error && (
        <p className="mt-2 text-xs text-rose-700" data-testid="update-error">
          {u.error}
        </p>
      )}
    </li>
  );
}

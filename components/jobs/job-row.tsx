"use client";
// One job: what it is for, where it stands, its error when failed, and the actions that fit its state.
import type { JobView } from "@/lib/jobs/admin";
import { Button, relativeTime } from "../ui";
import { duration, payloadText } from "./format";

const STATE_STYLES: Record<string, string> = {
  queued: "bg-slate-100 text-slate-700",
  running: "bg-sky-100 text-sky-800",
  failed: "bg-rose-100 text-rose-800",
  completed: "bg-emerald-100 text-emerald-800",
  cancelled: "bg-amber-100 text-amber-800",
};

export function JobRow({ job, busy, onRetry, onCancel }: { job: JobView; busy: boolean; onRetry: () => void; onCancel: () => void }) {
  const label = job.state === "retry" ? "queued (retry)" : job.stateGroup;
  return (
    <tr className="border-t border-slate-100 align-top" data-testid="job-row" data-job-id={job.id} data-state={job.stateGroup}>
      <td className="px-3 py-2">
        <div className="font-mono text-xs">{job.name}</div>
        <div className="font-mono text-[11px] text-slate-400" title="job id">
          {job.id}
        </div>
      </td>
      <td className="px-3 py-2 whitespace-nowrap">
        <span data-testid="job-state" className={`rounded px-2 py-0.5 text-xs font-medium ${STATE_STYLES[job.stateGroup] ?? "bg-slate-100"}`}>
          {label}
        </span>
        {job.waitingSeconds !== null && <div className="mt-1 text-xs text-slate-500">waiting {duration(job.waitingSeconds)}</div>}
      </td>
      <td className="px-3 py-2 text-xs text-slate-700">
        <div className="break-all font-mono" data-testid="job-payload">
          {payloadText(job.data)}
        </div>
        {job.singletonKey && <div className="text-slate-400">key {job.singletonKey}</div>}
        {job.error && (
          <details className="mt-1" data-testid="job-error">
            <summary className="cursor-pointer text-rose-700">{job.error.message}</summary>
            {job.error.stack && <pre className="mt-1 max-w-2xl overflow-auto whitespace-pre-wrap text-[11px] text-slate-500">{job.error.stack}</pre>}
          </details>
        )}
      </td>
      <td className="px-3 py-2 text-right tabular-nums">
        {job.retryCount}/{job.retryLimit}
      </td>
      <td className="px-3 py-2 whitespace-nowrap text-xs text-slate-600">
        <div title={new Date(job.createdOn).toLocaleString()}>created {relativeTime(job.createdOn)}</div>
        {job.startedOn && <div title={new Date(job.startedOn).toLocaleString()}>started {relativeTime(job.startedOn)}</div>}
        {job.heartbeatOn && job.stateGroup === "running" && <div>heartbeat {relativeTime(job.heartbeatOn)}</div>}
        {job.completedOn && <div title={new Date(job.completedOn).toLocaleString()}>ended {relativeTime(job.completedOn)}</div>}
      </td>
      <td className="px-3 py-2 text-right whitespace-nowrap">
        {job.stateGroup === "failed" && (
          <Button variant="secondary" disabled={busy} onClick={onRetry} data-testid="job-retry">
            Retry
          </Button>
        )}
        {(job.stateGroup === "queued" || job.stateGroup === "running") && (
          <Button variant="danger" disabled={busy} onClick={onCancel} data-testid="job-cancel">
            Cancel
          </Button>
        )}
      </td>
    </tr>
  );
}

"use client";
// The engine's figures per queue: depth, deferred, running, failures in 24 h, oldest waiting job.
import type { QueueFigures } from "@/lib/jobs/admin";
import { duration } from "./format";

export function QueueFiguresTable({ queues, selected, onSelect }: { queues: QueueFigures[]; selected: string; onSelect: (name: string) => void }) {
  const busy = (q: QueueFigures) => q.queued + q.active + q.failedLast24h > 0;
  return (
    <table className="w-full rounded border border-slate-200 bg-white text-sm" data-testid="queue-figures">
      <thead className="bg-slate-100 text-left text-slate-600">
        <tr>
          <th className="px-3 py-2">Queue (job name)</th>
          <th className="px-3 py-2 text-right">Queued</th>
          <th className="px-3 py-2 text-right">Deferred</th>
          <th className="px-3 py-2 text-right">Running</th>
          <th className="px-3 py-2 text-right">Failed (24 h)</th>
          <th className="px-3 py-2 text-right">Oldest waiting</th>
        </tr>
      </thead>
      <tbody>
        {queues.map((q) => (
          <tr
            key={q.name}
            data-testid="queue-row"
            data-queue={q.name}
            className={`border-t border-slate-100 ${q.name === selected ? "bg-sky-50" : ""} ${busy(q) ? "" : "text-slate-400"}`}
          >
            <td className="px-3 py-1.5">
              <button
                type="button"
                className="font-mono text-xs text-sky-700 hover:underline"
                onClick={() => onSelect(q.name === selected ? "" : q.name)}
                title="Show this queue's jobs"
              >
                {q.name}
              </button>
            </td>
            <td className="px-3 py-1.5 text-right tabular-nums" data-testid="queue-queued">
              {q.queued}
            </td>
            <td className="px-3 py-1.5 text-right tabular-nums">{q.deferred}</td>
            <td className="px-3 py-1.5 text-right tabular-nums">{q.active}</td>
            <td className={`px-3 py-1.5 text-right tabular-nums ${q.failedLast24h ? "font-medium text-rose-700" : ""}`}>{q.failedLast24h}</td>
            <td
              className={`px-3 py-1.5 text-right tabular-nums ${(q.oldestWaitingSeconds ?? 0) > 60 ? "font-medium text-amber-700" : ""}`}
              data-testid="queue-oldest"
            >
              {duration(q.oldestWaitingSeconds)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

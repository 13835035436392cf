// The promotion's timeline: who did what, when.
import type { PromotionEvent } from "./types";

const LABELS: Record<string, string> = {
  created: "started",
  change_request_opened: "opened the change request",
  committed: "committed",
  approved: "approved",
  rejected: "rejected",
  emergency_override: "used the emergency override",
  merged: "merged",
  merge_failed: "merge failed",
  waiting: "is waiting",
  sync_started: "started the sync",
  waiting_for_sync: "is waiting for a manual sync",
  succeeded: "succeeded",
  failed: "failed",
  landed_degraded: "landed it; the target is not healthy",
  no_revert_needed: "needs no revert",
  revert_failed: "could not open the revert",
};

export function Timeline({ events }: { events: PromotionEvent[] }) {
  return (
    <ol data-testid="promotion-timeline" className="relative space-y-3 border-l-2 border-slate-200 pl-4 text-sm">
      {events.map((e) => (
        <li key={e.id} data-testid="timeline-event" data-action={e.action} className="relative">
          <span className="absolute -left-[1.4rem] top-1 h-2.5 w-2.5 rounded-full bg-sky-600" aria-hidden />
          <p>
            <span className="font-medium">{e.actorName}</span> {LABELS[e.action] ?? e.action.replaceAll("_", " ")}{" "}
            <time className="text-xs text-slate-500" dateTime={e.at} title={e.at}>
              {new Date(e.at).toLocaleString()}
            </time>
          </p>
          {e.detail && <p className="whitespace-pre-wrap text-slate-600">{e.detail}</p>}
        </li>
      ))}
    </ol>
  );
}

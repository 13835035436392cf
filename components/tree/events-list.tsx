"use client";
// Kubernetes events, newest first: type, reason, the object, message, count and first/last seen.
import type { EventView } from "@/lib/tree/types";
import { relativeTime } from "../ui";

export function EventsList({ events, showObject = true, empty = "No events." }: { events: EventView[]; showObject?: boolean; empty?: string }) {
  if (!events.length) return <p className="px-3 py-4 text-sm text-slate-500">{empty}</p>;
  return (
    <ul className="divide-y divide-slate-100 text-sm" data-testid="events-list">
      {events.map((e) => (
        <li key={e.id} className="px-3 py-2" data-testid={`event-${e.reason}`}>
          <div className="flex flex-wrap items-baseline gap-2">
            <span className={`rounded px-1.5 text-xs font-medium ${e.type === "Warning" ? "bg-amber-100 text-amber-800" : "bg-slate-100 text-slate-700"}`}>
              {e.type}
            </span>
            <span className="font-medium">{e.reason}</span>
            {showObject && (
              <span className="text-xs text-slate-500">
                {e.object.kind}/{e.object.name}
              </span>
            )}
            <span className="ml-auto text-xs text-slate-500" title={`first seen ${e.firstSeen ?? "?"}, last seen ${e.lastSeen ?? "?"}`}>
              {e.count > 1 ? `×${e.count} · ` : ""}
              {relativeTime(e.lastSeen)}
              {e.count > 1 && e.firstSeen ? ` (first ${relativeTime(e.firstSeen)})` : ""}
            </span>
          </div>
          <p className="break-words text-xs text-slate-700">{e.message}</p>
        </li>
      ))}
    </ul>
  );
}

/** Events about one tree node: those naming its uid, and those naming only its kind and name. */
export function eventsOfNode(events: EventView[], node: { id: string; kind: string; namespace: string; name: string }): EventView[] {
  return events.filter((e) =>
    e.object.uid ? e.object.uid === node.id : e.object.kind === node.kind && e.object.name === node.name && e.object.namespace === node.namespace,
  );
}

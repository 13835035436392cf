// Kubernetes events as people read them: core/v1 and events.k8s.io/v1 shapes normalized into one
// view, newest first; which events belong to an object; the latest Warning of an object.
import type { KubeObject } from "../kube/watch-stream";
import type { EventView } from "./types";

/** Events kept per watched namespace (the cache drops the oldest beyond this). */
export const EVENTS_PER_NAMESPACE = 1000;

type Raw = Record<string, any>;

export function toEventView(e: KubeObject): EventView {
  const o = e as Raw;
  const subject = (o.regarding ?? o.involvedObject ?? {}) as Raw;
  const lastSeen = o.series?.lastObservedTime ?? o.lastTimestamp ?? o.deprecatedLastTimestamp ?? o.eventTime ?? e.metadata.creationTimestamp ?? null;
  const firstSeen = o.firstTimestamp ?? o.deprecatedFirstTimestamp ?? o.eventTime ?? e.metadata.creationTimestamp ?? null;
  return {
    id: e.metadata.uid ?? `${e.metadata.namespace}/${e.metadata.name}`,
    type: o.type ?? "Normal",
    reason: o.reason ?? "",
    message: String(o.note ?? o.message ?? "").trim(),
    count: Number(o.series?.count ?? o.count ?? o.deprecatedCount ?? 1) || 1,
    firstSeen: typeof firstSeen === "string" ? firstSeen : null,
    lastSeen: typeof lastSeen === "string" ? lastSeen : null,
    source: o.reportingController || o.reportingComponent || o.source?.component || "",
    object: { kind: subject.kind ?? "", namespace: subject.namespace ?? e.metadata.namespace ?? "", name: subject.name ?? "", uid: subject.uid ?? null },
  };
}

/** Ordering key of an event: when it was last seen (ms). Used to keep the newest per namespace. */
export const eventRank = (e: KubeObject): number => Date.parse(toEventView(e).lastSeen ?? "") || 0;

export const newestFirst = (a: EventView, b: EventView) =>
  (Date.parse(b.lastSeen ?? "") || 0) - (Date.parse(a.lastSeen ?? "") || 0) || b.id.localeCompare(a.id);

export interface EventTarget {
  uid?: string | null;
  kind?: string;
  namespace?: string;
  name?: string;
}

/** Events about one object: by uid when known (a recreated object's old events are not its own), else by kind and name. */
export function eventsOf(events: readonly EventView[], target: EventTarget): EventView[] {
  return events.filter((e) => {
    if (target.uid && e.object.uid) return e.object.uid === target.uid;
    if (!target.kind && !target.name) return !target.uid;
    return (
      (!target.kind || e.object.kind === target.kind) &&
      (!target.name || e.object.name === target.name) &&
      (!target.namespace || e.object.namespace === target.namespace)
    );
  });
}

/** Events indexed by the uid (or kind/namespace/name) of their object, each list newest first. */
export function indexEvents(events: readonly EventView[]): Map<string, EventView[]> {
  const byObject = new Map<string, EventView[]>();
  for (const e of [...events].sort(newestFirst)) {
    for (const key of [e.object.uid, `${e.object.kind}/${e.object.namespace}/${e.object.name}`]) {
      if (!key) continue;
      const list = byObject.get(key);
      if (list) list.push(e);
      else byObject.set(key, [e]);
    }
  }
  return byObject;
}

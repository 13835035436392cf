// Builds an environment's resource tree from plain inputs: the objects Tideline applied (its
// ResourceState rows with their live objects) and the candidate children of their namespaces,
// linked by ownerReferences (Deployment -> ReplicaSet -> Pod, Job -> Pod, CronJob -> Job) and by
// the kubernetes.io/service-name label (Service -> EndpointSlice). Pure: no I/O, no clock.
import { assessHealth, assessWorkloadWithPods, type Health } from "../kube/health";
import type { KubeObject } from "../kube/watch-stream";
import { indexEvents, newestFirst } from "./events";
import type { EventView, PodInfo, TreeNode } from "./types";

/** Which kinds can hang below a kind, and where they are watched from. */
export const CHILD_KINDS: Record<string, Array<{ apiVersion: string; kind: string }>> = {
  Deployment: [{ apiVersion: "apps/v1", kind: "ReplicaSet" }],
  ReplicaSet: [{ apiVersion: "v1", kind: "Pod" }],
  StatefulSet: [{ apiVersion: "v1", kind: "Pod" }],
  DaemonSet: [{ apiVersion: "v1", kind: "Pod" }],
  Job: [{ apiVersion: "v1", kind: "Pod" }],
  CronJob: [{ apiVersion: "batch/v1", kind: "Job" }],
  Service: [{ apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice" }],
};

/** Every child kind reachable from these root kinds (a Deployment needs ReplicaSets and Pods). */
export function childKindsFor(rootKinds: Iterable<string>): Array<{ apiVersion: string; kind: string }> {
  const out = new Map<string, { apiVersion: string; kind: string }>();
  const todo = [...rootKinds];
  while (todo.length) {
    for (const child of CHILD_KINDS[todo.pop()!] ?? []) {
      if (out.has(child.kind)) continue;
      out.set(child.kind, child);
      todo.push(child.kind);
    }
  }
  return [...out.values()];
}

export interface AppliedObject {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  syncStatus: string;
  health: string;
  healthMessage: string | null;
  live: KubeObject | null;
}

export interface TreeInputs {
  applied: AppliedObject[];
  /** Candidate children (ReplicaSets, Pods, Jobs, EndpointSlices of the environment's namespaces). */
  children: KubeObject[];
  events: EventView[];
}

const WORKLOADS = new Set(["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job"]);
const SERVICE_NAME = "kubernetes.io/service-name";

export function buildTree(inputs: TreeInputs): TreeNode[] {
  const byOwner = new Map<string, KubeObject[]>();
  const slicesByService = new Map<string, KubeObject[]>();
  for (const c of inputs.children) {
    const owner = ownerUid(c);
    if (owner) push(byOwner, owner, c);
    const service = c.kind === "EndpointSlice" ? c.metadata.labels?.[SERVICE_NAME] : undefined;
    if (service && !owner) push(slicesByService, `${c.metadata.namespace}/${service}`, c);
  }
  const childrenOf = (o: KubeObject): KubeObject[] => {
    const owned = o.metadata.uid ? (byOwner.get(o.metadata.uid) ?? []) : [];
    const slices = o.kind === "Service" ? (slicesByService.get(`${o.metadata.namespace}/${o.metadata.name}`) ?? []) : [];
    return [...owned, ...slices].sort(byName);
  };
  const events = indexEvents(inputs.events);
  const nodes: TreeNode[] = [];
  const seen = new Set<string>();

  // Depth first, so each subtree's pods are known when its workload's health is judged.
  const visit = (o: KubeObject, parentId: string | null, applied: AppliedObject | null): KubeObject[] => {
    const id = o.metadata.uid ?? keyOf(o.kind ?? "", o.metadata.namespace ?? "", o.metadata.name);
    if (seen.has(id)) return [];
    seen.add(id);
    const index = nodes.length;
    nodes.push(null as unknown as TreeNode); // keep parents before their children
    const pods: KubeObject[] = [];
    for (const child of childrenOf(o)) {
      if (child.kind === "Pod") pods.push(child);
      pods.push(...visit(child, id, null));
    }
    const health = WORKLOADS.has(o.kind ?? "") ? assessWorkloadWithPods(o, pods) : assessHealth(o);
    nodes[index] = node(o, id, parentId, applied, health, pods, events);
    return pods;
  };

  for (const a of [...inputs.applied].sort(byKindAndName)) {
    if (a.live) {
      visit({ ...a.live, apiVersion: a.apiVersion, kind: a.kind }, null, a);
      continue;
    }
    const id = `missing:${keyOf(a.kind, a.namespace, a.name)}`;
    if (seen.has(id)) continue;
    seen.add(id);
    nodes.push({
      id,
      parentId: null,
      apiVersion: a.apiVersion,
      kind: a.kind,
      namespace: a.namespace,
      name: a.name,
      syncStatus: a.syncStatus,
      health: a.health,
      healthMessage: a.healthMessage ?? "",
      reason: a.healthMessage ?? (a.health === "Missing" ? "not found in the cluster" : ""),
      warnings: 0,
      createdAt: null,
    });
  }
  return nodes;
}

function node(
  o: KubeObject,
  id: string,
  parentId: string | null,
  applied: AppliedObject | null,
  health: Health,
  pods: KubeObject[],
  events: Map<string, EventView[]>,
): TreeNode {
  const kind = o.kind ?? "";
  const namespace = o.metadata.namespace ?? "";
  const own = eventsFor(events, id, kind, namespace, o.metadata.name);
  const warnings = own.filter((e) => e.type === "Warning");
  let reason = health.message;
  if (health.status === "Degraded" || health.status === "Progressing") {
    const warning = warnings[0] ?? latestPodWarning(events, pods);
    if (warning)
      reason = `${warning.object.uid && warning.object.uid !== id ? `${warning.object.kind.toLowerCase()} ${warning.object.name}: ` : ""}${warning.reason}: ${warning.message}`;
  }
  return {
    id,
    parentId,
    apiVersion: o.apiVersion ?? applied?.apiVersion ?? "",
    kind,
    namespace,
    name: o.metadata.name,
    syncStatus: applied?.syncStatus ?? null,
    health: health.status,
    healthMessage: health.message,
    reason: oneLine(reason),
    warnings: warnings.length,
    createdAt: typeof o.metadata.creationTimestamp === "string" ? o.metadata.creationTimestamp : null,
    ...(kind === "Pod" ? { pod: podInfo(o) } : {}),
  };
}

/** An object's events: those naming its uid, and those naming only its kind and name (newest first). */
function eventsFor(events: Map<string, EventView[]>, uid: string, kind: string, namespace: string, name: string): EventView[] {
  const byUid = events.get(uid) ?? [];
  const byName = (events.get(keyOf(kind, namespace, name)) ?? []).filter((e) => !e.object.uid);
  if (!byName.length) return byUid;
  if (!byUid.length) return byName;
  return [...byUid, ...byName].sort(newestFirst);
}

function latestPodWarning(events: Map<string, EventView[]>, pods: KubeObject[]): EventView | undefined {
  let best: EventView | undefined;
  for (const p of pods) {
    const w = eventsFor(events, p.metadata.uid ?? "", "Pod", p.metadata.namespace ?? "", p.metadata.name).find((e) => e.type === "Warning");
    if (w && (!best || (Date.parse(w.lastSeen ?? "") || 0) > (Date.parse(best.lastSeen ?? "") || 0))) best = w;
  }
  return best;
}

function podInfo(p: KubeObject): PodInfo {
  const spec = (p.spec ?? {}) as { nodeName?: string; containers?: Array<{ image?: string }> };
  const status = (p.status ?? {}) as { phase?: string; containerStatuses?: Array<{ ready?: boolean; restartCount?: number }> };
  const statuses = status.containerStatuses ?? [];
  const containers = spec.containers ?? [];
  return {
    phase: status.phase ?? "Unknown",
    ready: `${statuses.filter((c) => c.ready).length}/${containers.length || statuses.length}`,
    restarts: statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0),
    node: spec.nodeName ?? null,
    images: containers.map((c) => c.image ?? "").filter(Boolean),
  };
}

/** The controller owner (or the first owner) of an object. */
function ownerUid(o: KubeObject): string | undefined {
  const owners = o.metadata.ownerReferences as Array<{ uid?: string; controller?: boolean }> | undefined;
  if (!Array.isArray(owners) || !owners.length) return undefined;
  return (owners.find((r) => r.controller) ?? owners[0])?.uid;
}

const keyOf = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;
const oneLine = (s: string) => {
  const line = s.replace(/\s+/g, " ").trim();
  return line.length > 240 ? `${line.slice(0, 239)}…` : line;
};
const byName = (a: KubeObject, b: KubeObject) => (a.kind ?? "").localeCompare(b.kind ?? "") || a.metadata.name.localeCompare(b.metadata.name);
const byKindAndName = (a: AppliedObject, b: AppliedObject) =>
  a.kind.localeCompare(b.kind) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name);

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

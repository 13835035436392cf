// The tree builder on plain objects: ownerReferences and the service-name label make the
// hierarchy, a workload's health follows its pods, and the reason of a Degraded or Progressing
// node is the latest Warning event (its own, else its pods').
import { describe, expect, it } from "vitest";
import { buildTree, childKindsFor } from "../../lib/tree/build-tree";
import { toEventView } from "../../lib/tree/events";
import type { KubeObject } from "../../lib/kube/watch-stream";

const ns = "shop";
const obj = (apiVersion: string, kind: string, name: string, uid: string, extra: Record<string, unknown> = {}, owner?: string): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace: ns, uid, ...(owner ? { ownerReferences: [{ uid: owner, controller: true }] } : {}), ...((extra.metadata as object) ?? {}) },
  ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== "metadata")),
});

const deployment = obj("apps/v1", "Deployment", "web", "d1", {
  metadata: { generation: 1 },
  spec: { replicas: 1, selector: { matchLabels: { app: "web" } } },
  status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 0 },
});
const rs = obj("apps/v1", "ReplicaSet", "web-abc", "r1", { spec: { replicas: 1 }, status: { availableReplicas: 0 } }, "d1");
const pod = obj(
  "v1",
  "Pod",
  "web-abc-1",
  "p1",
  {
    metadata: { labels: { app: "web" } },
    spec: { nodeName: "node-0", containers: [{ name: "web", image: "web:broken" }] },
    status: {
      phase: "Pending",
      containerStatuses: [
        { name: "web", ready: false, restartCount: 3, state: { waiting: { reason: "ImagePullBackOff", message: "Back-off pulling image" } } },
      ],
    },
  },
  "r1",
);
const oldRs = obj("apps/v1", "ReplicaSet", "web-old", "r0", { spec: { replicas: 0 }, status: {} }, "d1");
const stranger = obj("v1", "Pod", "someone-else", "p9", { status: { phase: "Running" } }, "elsewhere");
const service = obj("v1", "Service", "web", "s1", { spec: { type: "ClusterIP" } });
const slice = obj("discovery.k8s.io/v1", "EndpointSlice", "web-x1", "e1", { metadata: { labels: { "kubernetes.io/service-name": "web" } } });
const warning = (uid: string, kind: string, name: string, reason: string, message: string, at: string) =>
  toEventView({
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: `${name}.${reason}`, namespace: ns, uid: `ev-${reason}-${at}` },
    involvedObject: { kind, name, namespace: ns, uid },
    type: "Warning",
    reason,
    message,
    lastTimestamp: at,
  });

const applied = (live: KubeObject, syncStatus = "Synced") => ({
  apiVersion: live.apiVersion!,
  kind: live.kind!,
  namespace: ns,
  name: live.metadata.name,
  syncStatus,
  health: "Healthy",
  healthMessage: null,
  live,
});

describe("buildTree", () => {
  it("links Deployment -> ReplicaSet -> Pod and Service -> EndpointSlice, leaving unrelated objects out", () => {
    const nodes = buildTree({ applied: [applied(deployment), applied(service)], children: [rs, oldRs, pod, stranger, slice], events: [] });
    const parent = Object.fromEntries(nodes.map((n) => [n.name, n.parentId]));
    expect(parent).toEqual({ web: null, "web-abc": "d1", "web-old": "d1", "web-abc-1": "r1", "web-x1": "s1" });
    expect(
      nodes
        .filter((n) => n.name === "web")
        .map((n) => n.kind)
        .sort(),
    ).toEqual(["Deployment", "Service"]);
    // Parents come before their children.
    expect(nodes.findIndex((n) => n.id === "d1")).toBeLessThan(nodes.findIndex((n) => n.id === "r1"));
    expect(nodes.findIndex((n) => n.id === "r1")).toBeLessThan(nodes.findIndex((n) => n.id === "p1"));
    expect(nodes.find((n) => n.id === "p1")!.pod).toEqual({ phase: "Pending", ready: "0/1", restarts: 3, node: "node-0", images: ["web:broken"] });
    expect(nodes.find((n) => n.id === "d1")!.syncStatus).toBe("Synced");
    expect(nodes.find((n) => n.id === "r1")!.syncStatus).toBeNull();
  });

  it("makes a workload Degraded by its failing pod and gives the latest Warning event as the reason", () => {
    const events = [
      warning("p1", "Pod", "web-abc-1", "Failed", 'Failed to pull image "web:broken": not found', "2026-12-07T10:00:00Z"),
      warning("p1", "Pod", "web-abc-1", "BackOff", 'Back-off pulling image "web:broken"', "2026-12-07T10:05:00Z"),
    ];
    const nodes = buildTree({ applied: [applied(deployment)], children: [rs, pod], events });
    const byId = Object.fromEntries(nodes.map((n) => [n.id, n]));
    expect(byId.p1).toMatchObject({ health: "Degraded", reason: 'BackOff: Back-off pulling image "web:broken"', warnings: 2 });
    expect(byId.d1!.health).toBe("Degraded");
    expect(byId.d1!.reason).toBe('pod web-abc-1: BackOff: Back-off pulling image "web:broken"');
    expect(byId.d1!.healthMessage).toContain("ImagePullBackOff");
    // Its own Warning wins over its pods'.
    const own = warning("d1", "Deployment", "web", "ProgressDeadlineExceeded", "deadline", "2026-12-07T09:00:00Z");
    expect(buildTree({ applied: [applied(deployment)], children: [rs, pod], events: [...events, own] }).find((n) => n.id === "d1")!.reason).toBe(
      "ProgressDeadlineExceeded: deadline",
    );
  });

  it("keeps an applied object that is not in the cluster as a Missing root", () => {
    const nodes = buildTree({
      applied: [{ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "cfg", syncStatus: "Missing", health: "Missing", healthMessage: null, live: null }],
      children: [],
      events: [],
    });
    expect(nodes).toEqual([
      expect.objectContaining({ id: "missing:ConfigMap/shop/cfg", syncStatus: "Missing", health: "Missing", reason: "not found in the cluster" }),
    ]);
  });

  it("watches only the child kinds the applied kinds need", () => {
    expect(
      childKindsFor(["Deployment"])
        .map((k) => k.kind)
        .sort(),
    ).toEqual(["Pod", "ReplicaSet"]);
    expect(
      childKindsFor(["CronJob", "Service"])
        .map((k) => k.kind)
        .sort(),
    ).toEqual(["EndpointSlice", "Job", "Pod"]);
    expect(childKindsFor(["ConfigMap", "Secret"])).toEqual([]);
  });
});

// The resource tree, events and live stream of an environment against the real test bed: a
// synced Deployment shows its ReplicaSet and Pods, an Event created in the namespace is listed,
// the stream is refused without application.read and delivers a cluster change within a second,
// and no Secret value ever appears in any of them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcileEnvironment } from "../../lib/reconcile/reconcile-environment";
import { requestSync } from "../../lib/reconcile/manual-sync";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { kubeRequest } from "../../lib/kube/transport";
import { createSession } from "../../lib/auth/sessions";
import { createApiToken } from "../../lib/auth/api-tokens";
import { fetchDeps, liveHub, reconcileDeps } from "../../server/root";
import { sseResponse } from "../../lib/live/sse";
import { commitFile } from "../../support/demo-repo";
import { startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { demoSetup } from "../helpers/environments";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { adminClient, eventually } from "../helpers/testbed";
import { callRoute } from "../helpers/routes";
import { startTestWorker, stopTestWorker } from "../helpers/worker";
import type { TreeView, EventView } from "../../lib/tree/types";

const PLAIN = "tree-secret-value-42";
const B64 = Buffer.from(PLAIN).toString("base64");

const manifests = (ns: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.0.0
          env:
            - name: PASSWORD
              valueFrom: { secretKeyRef: { name: creds, key: password } }
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: { app: web }
  ports: [{ port: 80 }]
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
stringData:
  password: ${PLAIN}
# ${ns}
`;

let git: GitFixtures;
let environmentId: string;
let ns: string;
let viewer: string;

beforeAll(async () => {
  git = await startGitFixtures();
  const setup = await demoSetup(git);
  ns = uniqueName("tree").toLowerCase();
  await commitFile(setup.bare, { branch: "main", path: `tree/${ns}/all.yaml`, content: manifests(ns), message: "tree app" });
  await fetchRepository(fetchDeps(), setup.repo.id);
  const env = await setup.addEnv({ name: ns, path: `tree/${ns}`, namespace: ns });
  environmentId = env.id;
  await reconcileEnvironment(reconcileDeps(), env.id);
  await startTestWorker();
  const { runId } = await requestSync(reconcileDeps(), env.id, { actorName: "tester" });
  await eventually(
    async () => (await prisma().syncRun.findUniqueOrThrow({ where: { id: runId } })).status,
    (s) => s !== "running" && s !== "queued",
    60_000,
  );
  viewer = (await createSession(prisma(), (await makeUser("viewer")).id, 1)).token;
}, 180_000);

afterAll(async () => {
  await stopTestWorker();
  await git.stop();
});

const tree = async (cookie = viewer) => {
  const res = await callRoute({
    file: "environments/[id]/tree",
    method: "GET",
    url: `/api/environments/${environmentId}/tree`,
    params: { id: environmentId },
    cookie,
  });
  expect(res.status).toBe(200);
  return (await res.json()) as TreeView;
};

describe("resource tree", () => {
  it("shows the Deployment's ReplicaSet and Pods, the Service's EndpointSlice, with health and pod details", async () => {
    const view = await eventually(tree, (t) => t.nodes.filter((n) => n.kind === "Pod" && n.pod?.phase === "Running").length === 2, 30_000);
    const deployment = view.nodes.find((n) => n.kind === "Deployment" && n.name === "web")!;
    expect(deployment).toMatchObject({ parentId: null, syncStatus: "Synced" });
    const rs = view.nodes.filter((n) => n.kind === "ReplicaSet");
    expect(rs).toHaveLength(1);
    expect(rs[0]!.parentId).toBe(deployment.id);
    expect(rs[0]!.syncStatus).toBeNull();
    const pods = view.nodes.filter((n) => n.kind === "Pod");
    expect(pods.map((p) => p.parentId)).toEqual([rs[0]!.id, rs[0]!.id]);
    for (const p of pods)
      expect(p.pod).toMatchObject({
        phase: "Running",
        ready: "1/1",
        restarts: 0,
        node: expect.stringMatching(/^testbed-node-/),
        images: ["registry.example.com/web:1.0.0"],
      });
    const service = view.nodes.find((n) => n.kind === "Service")!;
    const slices = view.nodes.filter((n) => n.kind === "EndpointSlice");
    expect(slices.length).toBeGreaterThanOrEqual(1);
    expect(slices.every((s) => s.parentId === service.id)).toBe(true);
    expect(view.nodes.find((n) => n.kind === "Secret")).toMatchObject({ parentId: null, syncStatus: "Synced" });
    expect(
      await eventually(tree, (t) => t.nodes.find((n) => n.kind === "Deployment")?.health === "Healthy", 20_000).then(
        (t) => t.nodes.find((n) => n.kind === "Deployment")!.health,
      ),
    ).toBe("Healthy");
    expect(view.problems).toEqual([]);
    // Children are watched in the environment's namespace only.
    const { cacheForClusterId } = await import("../../lib/clusters/registry");
    const env = await prisma().environment.findUniqueOrThrow({ where: { id: environmentId } });
    const { unseal } = await import("../../lib/crypto/keyring");
    const kinds = await (await cacheForClusterId(prisma(), env.clusterId, unseal)).status();
    for (const k of ["Pod", "ReplicaSet", "EndpointSlice", "Event"]) expect(kinds.filter((s) => s.kind === k).map((s) => s.namespace)).toEqual([ns]);
  });

  it("answers 404 for an environment that does not exist", async () => {
    const res = await callRoute({ file: "environments/[id]/tree", method: "GET", url: "/api/environments/nope/tree", params: { id: "nope" }, cookie: viewer });
    expect(res.status).toBe(404);
  });
});

describe("events", () => {
  it("lists a core/v1 Event and an events.k8s.io/v1 Event of the namespace, newest first, and per object", async () => {
    const now = new Date();
    const earlier = new Date(now.getTime() - 60_000).toISOString();
    const pod = (await tree()).nodes.find((n) => n.kind === "Pod")!;
    await kubeRequest(adminClient(), "POST", `/api/v1/namespaces/${ns}/events`, {
      body: {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name: `${pod.name}.pull` },
        involvedObject: { apiVersion: "v1", kind: "Pod", name: pod.name, namespace: ns, uid: pod.id },
        type: "Warning",
        reason: "BackOff",
        message: 'Back-off pulling image "registry.example.com/web:1.0.0"',
        count: 7,
        firstTimestamp: earlier,
        lastTimestamp: now.toISOString(),
        source: { component: "kubelet" },
      },
    });
    await kubeRequest(adminClient(), "POST", `/apis/events.k8s.io/v1/namespaces/${ns}/events`, {
      body: {
        apiVersion: "events.k8s.io/v1",
        kind: "Event",
        metadata: { name: "web.older" },
        regarding: { apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: ns },
        type: "Normal",
        reason: "Noted",
        note: "an older note",
        action: "Note",
        reportingController: "tests.tideline.dev/x",
        reportingInstance: "x",
        eventTime: new Date(now.getTime() - 30_000).toISOString().replace(/\.\d+Z$/, ".000000Z"),
      },
    });
    const list = async (qs = "") => {
      const res = await callRoute({
        file: "environments/[id]/events",
        method: "GET",
        url: `/api/environments/${environmentId}/events${qs}`,
        params: { id: environmentId },
        cookie: viewer,
      });
      expect(res.status).toBe(200);
      return (await res.json()) as { items: EventView[] };
    };
    const all = await eventually(
      () => list(),
      (l) => l.items.some((e) => e.reason === "BackOff") && l.items.some((e) => e.reason === "Noted"),
    );
    const backOff = all.items.find((e) => e.reason === "BackOff")!;
    expect(backOff).toMatchObject({
      type: "Warning",
      count: 7,
      firstSeen: earlier.replace(/\.\d+Z$/, "Z"),
      source: "kubelet",
      object: { kind: "Pod", name: pod.name, uid: pod.id },
    });
    expect(all.items.find((e) => e.reason === "Noted")).toMatchObject({ message: "an older note", object: { kind: "Deployment", name: "web" } });
    const times = all.items.map((e) => Date.parse(e.lastSeen ?? ""));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const ofPod = await list(`?uid=${pod.id}`);
    expect(ofPod.items.map((e) => e.reason)).toEqual(["BackOff"]);
  });
});

describe("events watch", () => {
  it("keeps only the newest events of a namespace when capped, and watches that namespace only", async () => {
    const { ClusterCache } = await import("../../lib/kube/cluster-cache");
    const { eventRank } = await import("../../lib/tree/events");
    const other = uniqueName("evcap").toLowerCase();
    const client = adminClient();
    await kubeRequest(client, "POST", "/api/v1/namespaces", { body: { apiVersion: "v1", kind: "Namespace", metadata: { name: other } } });
    const base = Date.now() - 600_000;
    const post = (namespace: string, i: number) =>
      kubeRequest(client, "POST", `/api/v1/namespaces/${namespace}/events`, {
        body: {
          apiVersion: "v1",
          kind: "Event",
          metadata: { name: `cap-${i}` },
          involvedObject: { kind: "ConfigMap", name: "x", namespace },
          type: "Normal",
          reason: `R${i}`,
          message: "m",
          lastTimestamp: new Date(base + i * 1000).toISOString(),
        },
      });
    for (const i of [3, 1, 4, 0, 2]) await post(other, i);
    const cache = new ClusterCache(client);
    try {
      const events = await cache.namespacedKind("v1", "Event", other, { max: 3, rank: eventRank });
      const reasons = () => [...events.objects.values()].map((e) => (e as unknown as { reason: string }).reason).sort();
      expect(reasons()).toEqual(["R2", "R3", "R4"]);
      await post(other, 5);
      await post(ns, 99); // another namespace: not watched here
      expect(await eventually(reasons, (r) => r.includes("R5"))).toEqual(["R3", "R4", "R5"]);
      await new Promise((r) => setTimeout(r, 300));
      expect([...events.objects.values()].every((e) => e.metadata.namespace === other)).toBe(true);
    } finally {
      cache.stop();
    }
  });
});

/** Reads an SSE response until `until` matches one of its messages (or the time is up). */
async function readStream(res: Response, until: (m: { id: string; event: string; data: any }) => boolean, timeoutMs = 10_000) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const messages: Array<{ id: string; event: string; data: any; at: number }> = [];
  let buffer = "";
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), Math.max(1, deadline - Date.now())))]);
      if (!chunk || chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(
          block
            .split("\n")
            .filter((l) => !l.startsWith(":") && l.includes(": "))
            .map((l) => [l.slice(0, l.indexOf(": ")), l.slice(l.indexOf(": ") + 2)]),
        );
        if (!fields.event) continue;
        const m = { id: fields.id ?? "", event: fields.event, data: JSON.parse(fields.data ?? "null"), at: Date.now() };
        messages.push(m);
        if (until(m)) return messages;
      }
    }
    return messages;
  } finally {
    await reader.cancel().catch(() => {});
  }
}

describe("live stream", () => {
  const open = (opts: { cookie?: string; bearer?: string; lastEventId?: string } = {}) =>
    callRoute({
      file: "environments/[id]/stream",
      method: "GET",
      url: `/api/environments/${environmentId}/stream${opts.lastEventId ? `?lastEventId=${opts.lastEventId}` : ""}`,
      params: { id: environmentId },
      cookie: opts.cookie,
      bearer: opts.bearer,
    });

  it("is refused without a session and for a token without application.read, and 404s for an unknown environment", async () => {
    expect((await open()).status).toBe(401);
    const someone = await makeUser("viewer");
    const { token } = await createApiToken(prisma(), someone, { name: "repos only", scopes: ["repository.read"], expiresInDays: 1 });
    const refused = await open({ bearer: token });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("content-type")).not.toContain("text/event-stream");
    expect(await refused.text()).not.toContain("Deployment");
    const missing = await callRoute({
      file: "environments/[id]/stream",
      method: "GET",
      url: "/api/environments/nope/stream",
      params: { id: "nope" },
      cookie: viewer,
    });
    expect(missing.status).toBe(404);
  });

  it("sends a snapshot, replays what a disconnected client missed from Last-Event-ID, and delivers a Kubernetes API change within a second", async () => {
    const res = await open({ cookie: viewer });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    // The helper closes the stream once it has the snapshot; a second stream resumes from there.
    const opening = await readStream(res, (m) => m.event === "snapshot", 15_000);
    const snapshot = opening.find((m) => m.event === "snapshot")!;
    expect(snapshot.data.tree.nodes.some((n: { kind: string }) => n.kind === "Pod")).toBe(true);
    expect(snapshot.data.environment.environment.id).toBe(environmentId);

    // While no stream is open, someone scales the Deployment with the Kubernetes API (as kubectl scale would).
    const podsBefore = new Set((snapshot.data.tree.nodes as Array<{ kind: string; id: string }>).filter((n) => n.kind === "Pod").map((n) => n.id));
    await kubeRequest(adminClient(), "PATCH", `/apis/apps/v1/namespaces/${ns}/deployments/web`, {
      contentType: "application/merge-patch+json",
      body: { spec: { replicas: 3 } },
    });
    await new Promise((r) => setTimeout(r, 1500));
    // Resuming from the snapshot's id replays what was missed, in order, without a new snapshot.
    const newPod = (m: { event: string; data: any }) =>
      m.event === "tree" && m.data.upsert.some((n: { kind: string; id: string }) => n.kind === "Pod" && !podsBefore.has(n.id));
    const missed = await readStream(await open({ cookie: viewer, lastEventId: snapshot.id }), newPod, 15_000);
    expect(missed[0]?.event).not.toBe("snapshot");
    expect(missed.some((m) => m.event === "tree" && m.data.upsert.some((n: { kind: string }) => n.kind === "Deployment"))).toBe(true);
    expect(missed.some(newPod)).toBe(true);
    const ids = missed.map((m) => Number(m.id.split(".")[1]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids[0]).toBe(Number(snapshot.id.split(".")[1]) + 1);

    // Live: a change made while the stream is open arrives within a second.
    const live = await open({ cookie: viewer, lastEventId: missed.at(-1)!.id });
    const started = Date.now();
    const reading = readStream(live, (m) => m.event === "tree" && m.data.upsert.some((n: { kind: string }) => n.kind === "Deployment"), 5_000);
    await kubeRequest(adminClient(), "PATCH", `/apis/apps/v1/namespaces/${ns}/deployments/web`, {
      contentType: "application/merge-patch+json",
      body: { spec: { replicas: 2 } },
    });
    const messages = await reading;
    const change = messages.find((m) => m.event === "tree" && m.data.upsert.some((n: { kind: string }) => n.kind === "Deployment"));
    expect(change, JSON.stringify(messages.map((m) => m.event))).toBeDefined();
    expect(change!.at - started).toBeLessThan(1000);

    // An id from another process (or before a restart) cannot be resumed exactly: a snapshot comes first.
    const stale = await open({ cookie: viewer, lastEventId: "deadbeef.3" });
    const again = await readStream(stale, () => true, 10_000);
    expect(again[0]?.event).toBe("snapshot");
  });

  it("ends each stream after its lifetime with a rotate message, so clients reconnect and are authorized again", async () => {
    const res = sseResponse({ subscribe: (send) => liveHub().subscribe(environmentId, send, null), maxMs: 500 });
    const started = Date.now();
    const messages = await readStream(res, () => false, 5_000);
    // Changes still settling from the test before may arrive in between; the stream opens with a
    // snapshot and its last message is the rotate, after which the body ends.
    const events = messages.map((m) => m.event);
    expect(events[0]).toBe("snapshot");
    expect(events.at(-1)).toBe("rotate");
    expect(events.filter((e) => e === "rotate" || e === "snapshot")).toEqual(["snapshot", "rotate"]);
    expect(Date.now() - started).toBeLessThan(3_000); // the body ended by itself, well before the reader's 5 s
  });

  it("announces a sync run's progress and outcome (written by the worker)", async () => {
    const res = await open({ cookie: viewer });
    let runId = "";
    const reading = readStream(res, (m) => m.event === "sync-run" && m.data.id === runId && m.data.status === "succeeded", 30_000);
    await new Promise((r) => setTimeout(r, 300));
    runId = (await requestSync(reconcileDeps(), environmentId, { actorName: "tester" })).runId;
    const messages = await reading;
    const statuses = messages.filter((m) => m.event === "sync-run" && m.data.id === runId).map((m) => m.data.status);
    expect(statuses.at(-1)).toBe("succeeded");
    expect(statuses[0]).not.toBe("succeeded"); // queued/running came first
    expect(messages.some((m) => m.event === "environment")).toBe(true);
  });

  it("pushes the environment's detail when a reconcile writes it (database notification)", async () => {
    const res = await open({ cookie: viewer });
    const reading = readStream(res, (m) => m.event === "environment", 10_000);
    await new Promise((r) => setTimeout(r, 300));
    await reconcileEnvironment(reconcileDeps(), environmentId);
    const messages = await reading;
    const detail = messages.find((m) => m.event === "environment");
    expect(detail?.data.environment.id).toBe(environmentId);
  });
});

describe("Secret values", () => {
  it("never appear in the tree, the events or the stream", async () => {
    const res = await callRoute({
      file: "environments/[id]/stream",
      method: "GET",
      url: `/api/environments/${environmentId}/stream`,
      params: { id: environmentId },
      cookie: viewer,
    });
    // Everything the stream sends for 3 s: the snapshot (with the Secret's node) and what follows a change of the Secret.
    const reading = readStream(res, () => false, 3_000);
    await new Promise((r) => setTimeout(r, 500));
    await kubeRequest(adminClient(), "PATCH", `/api/v1/namespaces/${ns}/secrets/creds`, {
      contentType: "application/merge-patch+json",
      body: { metadata: { labels: { rotated: "now" } }, stringData: { password: `${PLAIN}-2` } },
    });
    const streamed = await reading;
    expect(streamed[0]?.event).toBe("snapshot");
    expect(JSON.stringify(streamed[0]!.data.tree)).toContain("creds");
    const events = await callRoute({
      file: "environments/[id]/events",
      method: "GET",
      url: `/api/environments/${environmentId}/events`,
      params: { id: environmentId },
      cookie: viewer,
    });
    const everything = JSON.stringify([await tree(), await events.json(), streamed]);
    expect(everything).toContain("creds");
    for (const leaked of [PLAIN, B64, Buffer.from(`${PLAIN}-2`).toString("base64")]) expect(everything).not.toContain(leaked);
  });
});

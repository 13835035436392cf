// Live stream benchmark: how long a cluster change takes to reach an open environment stream,
// through the real route (auth, watch cache, tree rebuild, SSE encoding) against a real test bed
// (kube-apiserver + controllers) and real Postgres. Measured: an Event created -> "events" message,
// a Deployment scaled -> "tree" message with the Deployment's new state, an environment row
// written -> "environment" message (Postgres NOTIFY); the memory of 100 open streams; and the
// build time and size of a 5,000-node tree (1,000 Deployments with their ReplicaSets and Pods).
// Baseline in the same run: the raw watch (Kubernetes API -> this process's cache listener).
//
//   npm run bench:stream              # 40 samples of each (about 1-2 minutes)
//   BENCH_SAMPLES=100 npm run bench:stream
//
// Optional env: BENCH_SAMPLES (40), BENCH_STREAMS (100), BENCH_KEEP=1 to keep the temp folder.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { ROOT, freshDatabase } from "../support/stack";
import { startTestbed } from "../scripts/testbed.mjs";
import { log, runCleanups, stats, table, writeResults } from "./lib/report";

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 40);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 100);
const KEEP = process.env.BENCH_KEEP === "1";
const NS = "bench-stream";
const ms = (n: number) => Math.round(n * 10) / 10;

interface Message {
  id: string;
  event: string;
  data: any;
  at: number;
}

/** Reads an SSE body and hands each message to `onMessage`. */
async function pump(body: ReadableStream<Uint8Array>, onMessage: (m: Message) => void) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
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
      if (fields.event) onMessage({ id: fields.id ?? "", event: fields.event, data: JSON.parse(fields.data ?? "null"), at: performance.now() });
    }
  }
}

/** The tree of 1,000 applied Deployments with a ReplicaSet and 3 Pods each (5,000 nodes), built from plain objects. */
async function treeAtScale() {
  const { buildTree } = await import("../lib/tree/build-tree");
  const applied = [];
  const children = [];
  for (let d = 0; d < 1000; d++) {
    const meta = (name: string, uid: string, owner?: string) => ({
      name,
      namespace: "big",
      uid,
      labels: { app: `app-${d}` },
      creationTimestamp: "2026-12-07T10:00:00Z",
      ...(owner ? { ownerReferences: [{ uid: owner, controller: true }] } : {}),
    });
    applied.push({
      apiVersion: "apps/v1",
      kind: "Deployment",
      namespace: "big",
      name: `app-${d}`,
      syncStatus: "Synced",
      health: "Healthy",
      healthMessage: null,
      live: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: meta(`app-${d}`, `d${d}`),
        spec: { replicas: 3, selector: { matchLabels: { app: `app-${d}` } } },
        status: { replicas: 3, updatedReplicas: 3, availableReplicas: 3 },
      },
    });
    children.push({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: meta(`app-${d}-rs`, `r${d}`, `d${d}`),
      spec: { replicas: 3 },
      status: { availableReplicas: 3 },
    });
    for (let p = 0; p < 3; p++)
      children.push({
        apiVersion: "v1",
        kind: "Pod",
        metadata: meta(`app-${d}-rs-${p}`, `p${d}-${p}`, `r${d}`),
        spec: { nodeName: "node-0", containers: [{ name: "c", image: "registry.example.com/app:1" }] },
        status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }], containerStatuses: [{ name: "c", ready: true, restartCount: 0 }] },
      });
  }
  const samples: number[] = [];
  let nodes = 0;
  let bytes = 0;
  for (let i = 0; i < 15; i++) {
    const started = performance.now();
    const tree = buildTree({ applied, children, events: [] });
    const json = JSON.stringify(tree);
    samples.push(performance.now() - started);
    nodes = tree.length;
    bytes = json.length;
  }
  return { nodes, kib: Math.round(bytes / 1024), build: stats(samples.slice(5), ms) };
}

async function main() {
  const scale = await treeAtScale();
  log(`tree of ${scale.nodes} nodes: build + JSON p50 ${scale.build.p50} ms, ${scale.kib} KiB`);
  const tmp = mkdtempSync(path.join(os.tmpdir(), "tideline-bench-stream-"));
  chmodSync(tmp, 0o755);
  const cleanups: Array<() => Promise<void> | void> = [];
  try {
    log("starting Postgres and the test bed");
    const db = await freshDatabase({ dataDir: tmp, prefix: "tideline_bench_stream" });
    cleanups.push(db.stop);
    const testbed = await startTestbed({ quiet: true });
    cleanups.push(() => testbed.stop());
    Object.assign(process.env, {
      DATABASE_URL: db.url,
      TIDELINE_SECRET_KEY: randomBytes(32).toString("base64"),
      TIDELINE_DATA_DIR: path.join(tmp, "data"),
      TIDELINE_FETCH_INTERVAL_SECONDS: "0",
    });

    const { readFileSync } = await import("node:fs");
    const { parse } = await import("yaml");
    const { db: prisma } = await import("../lib/db");
    const { registerCluster } = await import("../lib/clusters/manage-clusters");
    const { clusterDeps, liveHub } = await import("../server/root");
    const { createUser } = await import("../lib/users/manage-users");
    const { createSession, SESSION_COOKIE } = await import("../lib/auth/sessions");
    const { clientFromKubeconfig, kubeRequest } = await import("../lib/kube/transport");
    const { INVENTORY_LABEL } = await import("../lib/reconcile/desired");
    const { cacheForClusterId } = await import("../lib/clusters/registry");
    const { unseal } = await import("../lib/crypto/keyring");
    const { NextRequest } = await import("next/server");
    const route = await import("../app/api/environments/[id]/stream/route");
    cleanups.push(() => liveHub().close());

    const kubeconfig = readFileSync(testbed.kubeconfigPath, "utf8");
    const kube = clientFromKubeconfig("bench", kubeconfig);
    const { cluster } = await registerCluster(clusterDeps(), {
      source: "kubeconfig",
      name: "bench",
      kubeconfig,
      context: parse(kubeconfig)["current-context"],
    });
    const repo = await prisma().repository.create({ data: { name: "bench-repo", url: "https://git.example.com/bench.git" } });
    const app = await prisma().application.create({ data: { name: "bench-app" } });
    const envs = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        prisma().environment.create({
          data: {
            applicationId: app.id,
            name: `e${i}`,
            position: i,
            repositoryId: repo.id,
            branch: "main",
            path: "",
            clusterId: cluster.id,
            namespace: i === 0 ? NS : `${NS}-${i}`,
          },
        }),
      ),
    );
    const env = envs[0]!;
    await kubeRequest(kube, "POST", "/api/v1/namespaces", { body: { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } } });
    await kubeRequest(kube, "POST", `/apis/apps/v1/namespaces/${NS}/deployments`, {
      body: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", labels: { [INVENTORY_LABEL]: env.id } },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: "web" } },
          template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "registry.example.com/web:1" }] } },
        },
      },
    });
    await prisma().resourceState.create({
      data: {
        environmentId: env.id,
        apiVersion: "apps/v1",
        kind: "Deployment",
        namespace: NS,
        name: "web",
        syncStatus: "Synced",
        health: "Healthy",
        inInventory: true,
      },
    });
    const user = await createUser(prisma(), { username: "bench-viewer", password: "bench-password-123", role: "viewer" });
    const { token } = await createSession(prisma(), user.id, 1);
    const open = (environmentId: string) =>
      route.GET(
        new NextRequest(new URL(`/api/environments/${environmentId}/stream`, "http://tideline.bench"), { headers: { cookie: `${SESSION_COOKIE}=${token}` } }),
        { params: Promise.resolve({ id: environmentId }) },
      );

    // One stream, read continuously; each sample waits for the message its change causes.
    const res = await open(env.id);
    if (res.status !== 200) throw new Error(`stream answered ${res.status}: ${await res.text()}`);
    let waiter: { match: (m: Message) => boolean; resolve: (m: Message) => void } | null = null;
    let snapshot: Message | null = null;
    void pump(res.body!, (m) => {
      if (m.event === "snapshot") snapshot = m;
      if (waiter?.match(m)) {
        const w = waiter;
        waiter = null;
        w.resolve(m);
      }
    });
    const until = (match: (m: Message) => boolean, timeoutMs = 10_000) =>
      new Promise<Message>((resolve, reject) => {
        waiter = { match, resolve };
        setTimeout(() => reject(new Error("no message within the timeout")), timeoutMs).unref();
      });
    const t0 = performance.now();
    while (!snapshot && performance.now() - t0 < 15_000) await new Promise((r) => setTimeout(r, 20));
    if (!snapshot) throw new Error("no snapshot");
    log(`stream open, snapshot after ${ms(performance.now() - t0)} ms`);

    // Baseline: the watch itself (API server -> this process's watch cache listener).
    const cache = await cacheForClusterId(prisma(), cluster.id, unseal);
    const watchSamples: number[] = [];
    const eventSamples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const name = `bench-${i}`;
      let seenByWatch = 0;
      const stop = cache.onChange((_t, o) => {
        if (o.kind === "Event" && o.metadata.name === name) seenByWatch ||= performance.now();
      });
      const started = performance.now();
      const arrived = until((m) => m.event === "events" && m.data.items.some((e: { reason: string; message: string }) => e.message === name));
      await kubeRequest(kube, "POST", `/api/v1/namespaces/${NS}/events`, {
        body: {
          apiVersion: "v1",
          kind: "Event",
          metadata: { name },
          involvedObject: { kind: "Deployment", name: "web", namespace: NS },
          type: "Normal",
          reason: "Bench",
          message: name,
          lastTimestamp: new Date().toISOString(),
        },
      });
      const m = await arrived;
      eventSamples.push(m.at - started);
      if (seenByWatch) watchSamples.push(seenByWatch - started);
      stop();
    }
    log("events measured");

    const treeSamples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const replicas = i % 2 === 0 ? 2 : 1;
      const started = performance.now();
      const arrived = until((m) => m.event === "tree" && m.data.upsert.some((n: { kind: string; healthMessage: string }) => n.kind === "Deployment"));
      await kubeRequest(kube, "PATCH", `/apis/apps/v1/namespaces/${NS}/deployments/web`, {
        contentType: "application/merge-patch+json",
        body: { spec: { replicas } },
      });
      treeSamples.push((await arrived).at - started);
      await new Promise((r) => setTimeout(r, 150)); // let the rollout's own changes pass
    }
    log("tree patches measured");

    const dbSamples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const started = performance.now();
      const arrived = until((m) => m.event === "environment");
      await prisma().environment.update({ where: { id: env.id }, data: { lastReconciledAt: new Date() } });
      dbSamples.push((await arrived).at - started);
    }
    log("database notifications measured");

    // Memory of open streams: STREAMS streams over the 10 environments, all receiving their snapshots.
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const rssBefore = process.memoryUsage().rss;
    let snapshots = 0;
    const bodies: ReadableStream<Uint8Array>[] = [];
    const opened = performance.now();
    for (let i = 0; i < STREAMS; i++) {
      const r = await open(envs[i % envs.length]!.id);
      bodies.push(r.body!);
      void pump(r.body!, (m) => void (m.event === "snapshot" && snapshots++));
    }
    while (snapshots < STREAMS && performance.now() - opened < 30_000) await new Promise((r) => setTimeout(r, 20));
    const openMs = performance.now() - opened;
    gc?.();
    const heapAfter = process.memoryUsage().heapUsed;
    const rssAfter = process.memoryUsage().rss;
    for (const b of bodies) await b.cancel().catch(() => {});

    const rows = [
      ["raw watch (baseline): Event created -> cache listener", stats(watchSamples, ms)],
      ['Event created -> "events" message on the stream', stats(eventSamples, ms)],
      ['Deployment scaled -> "tree" message (node patch)', stats(treeSamples, ms)],
      ['environment row written -> "environment" message (NOTIFY)', stats(dbSamples, ms)],
    ] as const;
    console.log(`\n## Cluster change -> open stream (${SAMPLES} samples each; test bed + Postgres on this machine)\n`);
    console.log(
      table(
        ["path", "p50 ms", "p95 ms", "max ms"],
        rows.map(([name, s]) => [name, s.p50, s.p95, s.max]),
      ),
    );
    const streams = {
      streams: STREAMS,
      environments: envs.length,
      allSnapshotsMs: ms(openMs),
      snapshotsReceived: snapshots,
      heapMiB: Math.round(((heapAfter - heapBefore) / 1048576) * 10) / 10,
      rssMiB: Math.round(((rssAfter - rssBefore) / 1048576) * 10) / 10,
      gc: Boolean(gc),
    };
    console.log(`\n## ${STREAMS} open streams over ${envs.length} environments\n`);
    console.log(
      table(
        ["figure", "value"],
        [
          ["all snapshots received", `${streams.snapshotsReceived} in ${streams.allSnapshotsMs} ms`],
          ["heap growth", `${streams.heapMiB} MiB${gc ? "" : " (no --expose-gc: noisy)"}`],
          ["RSS growth", `${streams.rssMiB} MiB`],
          ["channels (one per environment)", liveHub().channelCount()],
        ],
      ),
    );
    console.log(`\n## Tree at scale (1,000 Deployments x (1 ReplicaSet + 3 Pods), pure build + JSON)\n`);
    console.log(
      table(
        ["figure", "value"],
        [
          ["nodes", scale.nodes],
          ["build + JSON.stringify p50 / p95", `${scale.build.p50} / ${scale.build.p95} ms`],
          ["response size", `${scale.kib} KiB`],
        ],
      ),
    );
    writeResults(ROOT, "stream-latency", { samples: SAMPLES, latency: Object.fromEntries(rows.map(([k, s]) => [k, s])), streams, treeAtScale: scale });
  } finally {
    await runCleanups(cleanups, tmp, KEEP);
    process.exit(0);
  }
}

void main();

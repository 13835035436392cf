// /metrics end to end: a real reconcile and sync (Git server, test bed, job worker) move the
// counters a scrape shows; only admins or the metrics token may scrape; no label carries a commit id.
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession } from "../../lib/auth/sessions";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { serveMetrics } from "../../lib/metrics/serve-port";
import { metrics } from "../../lib/metrics/registry";
import { fetchDeps, jobs, metricsDeps } from "../../server/root";
import { commitFile } from "../../support/demo-repo";
import { startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { demoSetup } from "../helpers/environments";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { callRoute } from "../helpers/routes";
import { eventually } from "../helpers/testbed";
import { startTestWorker, stopTestWorker, waitForJobsIdle } from "../helpers/worker";

type Sample = { name: string; labels: Record<string, string>; value: number };

function parse(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/);
    if (!m) throw new Error(`not Prometheus text: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** Sum of the samples of `name` whose labels include `match`. */
const value = (samples: Sample[], name: string, match: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);

let git: GitFixtures;
let setup: Awaited<ReturnType<typeof demoSetup>>;
let envId: string;
let admin: string;
let viewer: string;

async function scrape(cookie = admin) {
  const res = await callRoute({ file: "metrics", method: "GET", url: "/api/metrics", cookie });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain");
  return res.text();
}
const samples = async () => parse(await scrape());

beforeAll(async () => {
  git = await startGitFixtures();
  setup = await demoSetup(git);
  const ns = uniqueName("mx").toLowerCase();
  await commitFile(setup.bare, {
    branch: "main",
    path: `envs/${ns}/kustomization.yaml`,
    content: `namespace: ${ns}\nresources:\n  - ../../apps/guestbook/overlays/dev\n`,
    message: `add ${ns}`,
  });
  await fetchRepository(fetchDeps(), setup.repo.id);
  envId = (await setup.addEnv({ name: "dev", path: `envs/${ns}`, namespace: ns })).id;
  admin = (await createSession(prisma(), (await makeUser("admin")).id, 1)).token;
  viewer = (await createSession(prisma(), (await makeUser("viewer")).id, 1)).token;
  await startTestWorker();
});
afterAll(async () => {
  await stopTestWorker();
  await git.stop();
});

describe("/metrics", () => {
  it("counts a reconcile and its drift, then a sync through the API, with Kubernetes requests by verb", async () => {
    const before = await samples();
    // A reconcile (no sync queued): everything is Missing before the first sync.
    await jobs().send("environment.work", { environmentId: envId, reason: "metrics test" });
    await waitForJobsIdle("environment.work", envId, 60_000);
    const reconciled = await samples();
    expect(value(reconciled, "tideline_reconcile_total", { environment_id: envId, result: "OutOfSync" })).toBe(1);
    expect(value(reconciled, "tideline_reconcile_duration_seconds_count") - value(before, "tideline_reconcile_duration_seconds_count")).toBeGreaterThanOrEqual(
      1,
    );
    expect(value(reconciled, "tideline_environment_drift_objects", { environment_id: envId, status: "Missing" })).toBe(3);
    expect(value(reconciled, "tideline_environments", { sync_status: "OutOfSync" })).toBeGreaterThanOrEqual(1);

    const asked = await callRoute({
      file: "environments/[id]/sync",
      method: "POST",
      url: `/api/environments/${envId}/sync`,
      params: { id: envId },
      cookie: admin,
      body: {},
    });
    expect(asked.status).toBe(202);
    const { runId } = (await asked.json()) as { runId: string };
    const run = await eventually(
      () => prisma().syncRun.findUniqueOrThrow({ where: { id: runId } }),
      (r) => !["queued", "running"].includes(r.status),
      120_000,
    );
    expect(run.status).toBe("succeeded");
    await waitForJobsIdle("environment.work", envId, 60_000);

    const after = await samples();
    const moved = (name: string, match: Record<string, string> = {}) => value(after, name, match) - value(reconciled, name, match);
    expect(moved("tideline_sync_total", { environment_id: envId, trigger: "manual", status: "succeeded" })).toBe(1);
    expect(moved("tideline_sync_duration_seconds_count", { trigger: "manual", status: "succeeded" })).toBe(1);
    expect(moved("tideline_sync_duration_seconds_sum", { trigger: "manual", status: "succeeded" })).toBeGreaterThan(0);
    // The sync applied with server-side apply against the test bed cluster, and its caches listed and watched.
    const cluster = setup.cluster.name;
    // (201 when the apply created the object, 200 when it changed one.)
    expect(
      moved("tideline_kube_requests_total", { cluster, verb: "apply", code: "201" }) +
        moved("tideline_kube_requests_total", { cluster, verb: "apply", code: "200" }),
    ).toBeGreaterThanOrEqual(3);
    expect(value(after, "tideline_kube_requests_total", { cluster, verb: "list", code: "200" })).toBeGreaterThan(0);
    expect(value(after, "tideline_kube_requests_total", { cluster, verb: "watch", code: "200" })).toBeGreaterThan(0);
    expect(value(after, "tideline_watch_cache_objects", { cluster })).toBeGreaterThan(0);
    // Drift is gone, and the database figures say so.
    expect(value(after, "tideline_environment_drift_objects", { environment_id: envId })).toBe(0);
    expect(value(after, "tideline_environments", { sync_status: "Synced", health: "Healthy" })).toBeGreaterThanOrEqual(1);
    expect(after.find((s) => s.name === "tideline_environment_info" && s.labels.environment_id === envId)?.labels).toMatchObject({
      application: setup.app.name,
      environment: "dev",
      cluster,
    });
    // The API call is timed under its route pattern, never its URL.
    expect(moved("tideline_http_request_duration_seconds_count", { method: "POST", route: "/api/environments/[id]/sync", code: "202" })).toBe(1);
    expect(after.some((s) => s.labels.route?.includes(envId))).toBe(false);
    expect(value(after, "tideline_job_queue_depth", { queue: "environment.work", state: "queued" })).toBe(0);
    expect(after.some((s) => s.name === "tideline_job_queue_oldest_waiting_seconds" && s.labels.queue === "environment.work")).toBe(true);
    // The fetch done by the set-up was timed; process metrics come along.
    expect(value(after, "tideline_git_fetch_duration_seconds_count", { outcome: "fetched" })).toBeGreaterThanOrEqual(2);
    expect(value(after, "process_cpu_seconds_total")).toBeGreaterThan(0);

    // No label value is a commit id (or a short one) or an object name.
    const revision = (await prisma().environment.findUniqueOrThrow({ where: { id: envId } })).syncedRevision!;
    expect(revision).toMatch(/^[0-9a-f]{40}$/);
    const values = after.flatMap((s) => Object.values(s.labels));
    expect(values.filter((v) => /\b[0-9a-f]{40}\b/.test(v) || v.includes(revision.slice(0, 7)))).toEqual([]);
    expect(values).not.toContain("guestbook-config");
    expect(values).not.toContain("guestbook");
  });

  it("answers 401 without credentials, 403 below admin, and stays under 1 MB", async () => {
    const anonymous = await callRoute({ file: "metrics", method: "GET", url: "/api/metrics" });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toContain("tideline_");
    expect((await callRoute({ file: "metrics", method: "GET", url: "/api/metrics", cookie: viewer })).status).toBe(403);
    expect((await callRoute({ file: "metrics", method: "GET", url: "/api/metrics", bearer: "not-a-token" })).status).toBe(401);
    expect(Buffer.byteLength(await scrape())).toBeLessThan(1_000_000);
  });

  it("serves the worker's metrics port with the metrics token, and refuses anything else", async () => {
    const token = "metrics-token-for-this-test-0123456789";
    let server: Server | undefined;
    try {
      server = await serveMetrics(() => ({ ...metricsDeps({ fleet: false }), metricsToken: token }), 0, "127.0.0.1");
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
      const ok = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      const text = await ok.text();
      expect(value(parse(text), "tideline_sync_total", { environment_id: envId, status: "succeeded" })).toBe(1);
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401);
      expect((await fetch(url.replace("/metrics", "/other"), { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
    } finally {
      server?.close();
    }
  });

  it("has a Grafana dashboard whose queries name only metrics Tideline exports", () => {
    const dashboard = JSON.parse(readFileSync("deploy/grafana/tideline-dashboard.json", "utf8")) as { panels: Array<{ targets?: Array<{ expr: string }> }> };
    const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    expect(exprs.length).toBeGreaterThan(20);
    const exported = new Set(
      metrics()
        .registry.getMetricsAsArray()
        .map((m) => m.name),
    );
    const used = new Set(
      exprs.flatMap((e) => [...e.matchAll(/\b(tideline_[a-z_]+|process_[a-z_]+|nodejs_[a-z0-9_]+)/g)].map((m) => m[1]!.replace(/_(bucket|count|sum)$/, ""))),
    );
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
  });
});

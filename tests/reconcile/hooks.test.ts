// Sync hooks, gated waves, honest sync results and the running sync on the environment's page,
// end to end: fixtures on a real Git server, synced into the test bed (real kube-apiserver, Job
// controller and a pod simulator that completes or fails Jobs' pods).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { assessEnvironment, reconcileEnvironment, showSyncProgress } from "../../lib/reconcile/reconcile-environment";
import { syncEnvironment, type SyncOutcome } from "../../lib/reconcile/sync";
import { runEnvironmentWork } from "../../lib/reconcile/environment-work";
import { previewSync } from "../../lib/reconcile/manual-sync";
import { parseManifests } from "../../lib/render/manifest";
import { HOOK_OF_LABEL } from "../../lib/reconcile/hooks";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { createApplication, createEnvironment, updateEnvironmentSettings } from "../../lib/environments/manage-environments";
import { createProject } from "../../lib/projects/manage-projects";
import { env as tidelineEnv } from "../../lib/env";
import { createSession } from "../../lib/auth/sessions";
import { fetchDeps, jobs, reconcileDeps } from "../../server/root";
import { kubeRequest } from "../../lib/kube/transport";
import { commitFile } from "../../support/demo-repo";
import { startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { demoSetup } from "../helpers/environments";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { callRoute } from "../helpers/routes";
import { adminClient, eventually } from "../helpers/testbed";

let git: GitFixtures;
let setup: Awaited<ReturnType<typeof demoSetup>>;
let cookie: string;
beforeAll(async () => {
  git = await startGitFixtures();
  setup = await demoSetup(git);
  const admin = await makeUser("admin");
  cookie = (await createSession(prisma(), admin.id, 1)).token;
});
afterAll(() => git.stop());

type Results = Array<SyncOutcome>;
type LiveJob = {
  metadata: { name: string; uid: string; creationTimestamp: string; labels?: Record<string, string> };
  status?: { completionTime?: string; conditions?: Array<{ type: string; status: string }> };
};

const job = (name: string, o: { hook?: Record<string, string>; runFor?: string; fail?: boolean; generate?: boolean; wave?: string } = {}) =>
  stringify({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      ...(o.generate ? { generateName: `${name}-` } : { name }),
      annotations: { ...(o.hook ?? {}), ...(o.wave ? { "argocd.argoproj.io/sync-wave": o.wave } : {}) },
    },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: {
          annotations: { ...(o.runFor ? { "testbed.tideline.dev/run-for": o.runFor } : {}), ...(o.fail ? { "testbed.tideline.dev/fail": "error" } : {}) },
        },
        spec: { restartPolicy: "Never", containers: [{ name: "c", image: "registry.example/tool:1" }] },
      },
    },
  });
const deployment = (name: string) =>
  stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "registry.example/web:1" }] } },
    },
  });
const configMap = (name: string, annotations: Record<string, string> = {}) =>
  stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, annotations }, data: { a: "1" } });

async function environmentWith(files: Record<string, string>) {
  const ns = uniqueName("hk").toLowerCase();
  for (const [file, content] of Object.entries(files))
    await commitFile(setup.bare, { branch: "main", path: `hooks/${ns}/${file}`, content, message: `${ns}: ${file}` });
  await fetchRepository(fetchDeps(), setup.repo.id);
  const env = await setup.addEnv({ name: ns, path: `hooks/${ns}`, namespace: ns });
  return { ns, envId: env.id };
}

/** A person's sync, as the job runs it (hooks, and the object list following the sync). */
async function syncNow(environmentId: string, opts: { healthTimeoutMs?: number; only?: string[] } = {}) {
  const env = await prisma().environment.findUniqueOrThrow({ where: { id: environmentId } });
  const { desired, reports, cache } = await assessEnvironment(reconcileDeps(), env);
  return syncEnvironment({
    prisma: prisma(),
    cache,
    environmentId,
    revision: desired.revision,
    desired: desired.objects,
    hooks: desired.hooks,
    reports,
    trigger: "manual",
    actorName: "tester",
    prune: env.prune,
    allowEmpty: env.allowEmpty,
    namespace: env.namespace,
    healthTimeoutMs: opts.healthTimeoutMs ?? 60_000,
    hookTimeoutMs: 60_000,
    onProgress: showSyncProgress(prisma(), env, desired.revision, reports),
    only: opts.only ? new Set(opts.only) : undefined,
  });
}

const jobsOf = async (ns: string, environmentId: string) =>
  (
    await kubeRequest<{ items: LiveJob[] }>(adminClient(), "GET", `/apis/batch/v1/namespaces/${ns}/jobs`, {
      query: { labelSelector: `${HOOK_OF_LABEL}=${environmentId}` },
    })
  ).items;
const resultsOf = async (runId: string) => (await prisma().syncRun.findUniqueOrThrow({ where: { id: runId } })).results as unknown as Results;
const states = async (environmentId: string) =>
  Object.fromEntries((await prisma().resourceState.findMany({ where: { environmentId } })).map((r) => [`${r.kind}/${r.name}`, r]));
const page = async (id: string) => {
  const res = await callRoute({ file: "environments/[id]", method: "GET", url: `/api/environments/${id}`, params: { id }, cookie });
  expect(res.status).toBe(200);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (await res.json()) as any;
};

describe("rendering hooks", () => {
  it("allows generateName on hooks only", () => {
    const [hook] = parseManifests(job("migrate", { generate: true, hook: { "argocd.argoproj.io/hook": "PreSync" } }), "migrate.yaml");
    expect(hook!.object.metadata).toMatchObject({ name: "migrate-", generateName: "migrate-" });
    expect(() => parseManifests(job("migrate", { generate: true }), "plain.yaml")).toThrow(/generateName is only allowed on sync hooks/);
  });
});

describe("sync hooks", () => {
  let ns: string;
  let envId: string;
  let first: LiveJob;
  beforeAll(async () => {
    ({ ns, envId } = await environmentWith({
      // PreSync, generateName, default delete policy (BeforeHookCreation): stays until the next sync.
      "migrate.yaml": job("migrate", { generate: true, runFor: "3s", hook: { "argocd.argoproj.io/hook": "PreSync" } }),
      "deployment.yaml": deployment("web"),
      // PostSync under Tideline's own annotation, removed once it succeeded.
      "smoke.yaml": job("smoke", { generate: true, hook: { "tideline.dev/hook": "PostSync", "tideline.dev/hook-delete-policy": "HookSucceeded" } }),
      "skipped.yaml": configMap("never", { "argocd.argoproj.io/hook": "Skip" }),
    }));
  }, 60_000);

  it("renders (generateName is no longer an error) and does not count hooks as objects or drift", async () => {
    await reconcileEnvironment(reconcileDeps(), envId);
    const env = await prisma().environment.findUniqueOrThrow({ where: { id: envId } });
    expect(env.renderError).toBeNull();
    expect(Object.keys(await states(envId))).toEqual(["Deployment/web"]);
  });

  it("runs PreSync to completion before the Deployment, PostSync after it is healthy, and honours delete policies", async () => {
    const run = await syncNow(envId);
    expect(run.status).toBe("succeeded");
    const results = await resultsOf(run.runId);
    const pre = results.findIndex((r) => r.hook?.phase === "PreSync");
    const web = results.findIndex((r) => r.kind === "Deployment" && r.action === "applied");
    const post = results.findIndex((r) => r.hook?.phase === "PostSync");
    expect(results[pre]).toMatchObject({
      kind: "Job",
      action: "applied",
      hook: { status: "Succeeded", deleted: false },
      name: expect.stringMatching(/^migrate-[a-z0-9]+$/),
    });
    expect(results[post]).toMatchObject({
      kind: "Job",
      action: "applied",
      hook: { status: "Succeeded", deleted: true },
      message: expect.stringContaining("deleted (HookSucceeded)"),
    });
    expect(results.find((r) => r.name === "never")).toMatchObject({ action: "skipped", hook: { phase: "Skip" } });
    expect(pre).toBeGreaterThanOrEqual(0);
    expect(pre).toBeLessThan(web);
    expect(web).toBeLessThan(post);

    // The cluster agrees: the migration completed before the Deployment was created; the smoke test is gone; Skip never applied.
    const live = await jobsOf(ns, envId);
    expect(live.map((j) => j.metadata.name)).toEqual([results[pre]!.name]);
    first = live[0]!;
    const dep = await kubeRequest<{
      metadata: { creationTimestamp: string };
      status: { conditions: Array<{ type: string; status: string; lastTransitionTime: string }> };
    }>(adminClient(), "GET", `/apis/apps/v1/namespaces/${ns}/deployments/web`);
    expect(Date.parse(first.status!.completionTime!)).toBeLessThanOrEqual(Date.parse(dep.metadata.creationTimestamp));
    expect(Date.parse(results[post]!.at)).toBeGreaterThanOrEqual(
      Date.parse(dep.status.conditions.find((c) => c.type === "Available" && c.status === "True")!.lastTransitionTime),
    );
    await expect(kubeRequest(adminClient(), "GET", `/api/v1/namespaces/${ns}/configmaps/never`)).rejects.toMatchObject({ failure: "not_found" });

    await reconcileEnvironment(reconcileDeps(), envId);
    expect(await prisma().environment.findUniqueOrThrow({ where: { id: envId } })).toMatchObject({ syncStatus: "Synced", health: "Healthy" });
    expect(Object.keys(await states(envId))).toEqual(["Deployment/web"]); // the hook Job is not Extraneous
  }, 90_000);

  it("creates a new hook object on the next sync (BeforeHookCreation deletes the old one) and never prunes hooks", async () => {
    await updateEnvironmentSettings(prisma(), envId, { prune: true });
    await reconcileEnvironment(reconcileDeps(), envId);
    const run = await syncNow(envId);
    expect(run.status).toBe("succeeded");
    const results = await resultsOf(run.runId);
    expect(results.filter((r) => r.action === "pruned")).toEqual([]);
    const live = await eventually(
      () => jobsOf(ns, envId),
      (l) => l.length === 1,
    );
    expect(live).toHaveLength(1);
    expect(live[0]!.metadata.name).not.toBe(first.metadata.name);
    expect(live[0]!.metadata.name).toBe(results.find((r) => r.hook?.phase === "PreSync")!.name);
  }, 90_000);
});

describe("an object that becomes a hook", () => {
  it("is taken over by the hook (BeforeHookCreation replaces it), not pruned or refused", async () => {
    const { ns, envId } = await environmentWith({ "migrate.yaml": job("migrate"), "cm.yaml": configMap("settings") });
    await updateEnvironmentSettings(prisma(), envId, { prune: true });
    await reconcileEnvironment(reconcileDeps(), envId);
    expect((await syncNow(envId)).status).toBe("succeeded");
    const before = await kubeRequest<LiveJob>(adminClient(), "GET", `/apis/batch/v1/namespaces/${ns}/jobs/migrate`);
    expect(before.metadata.labels?.["app.tideline.dev/environment"]).toBe(envId);

    await commitFile(setup.bare, {
      branch: "main",
      path: `hooks/${ns}/migrate.yaml`,
      content: job("migrate", { hook: { "argocd.argoproj.io/hook": "PreSync" } }),
      message: `${ns}: migrate becomes a hook`,
    });
    await fetchRepository(fetchDeps(), setup.repo.id);
    await reconcileEnvironment(reconcileDeps(), envId);
    expect((await states(envId))["Job/migrate"]).toMatchObject({ syncStatus: "Extraneous" }); // until the sync takes it over
    const run = await syncNow(envId);
    expect(run.status).toBe("succeeded");
    expect(run.results.filter((r) => r.name === "migrate").map((r) => r.action)).toEqual(["applied"]);
    const after = await kubeRequest<LiveJob>(adminClient(), "GET", `/apis/batch/v1/namespaces/${ns}/jobs/migrate`);
    expect(after.metadata.uid).not.toBe(before.metadata.uid);
    expect(after.metadata.labels).toMatchObject({ [HOOK_OF_LABEL]: envId });
    expect(after.metadata.labels?.["app.tideline.dev/environment"]).toBeUndefined();
    await reconcileEnvironment(reconcileDeps(), envId);
    expect(Object.keys(await states(envId))).toEqual(["ConfigMap/settings"]);
  }, 90_000);
});

describe("a failing hook", () => {
  it("fails the sync, applies nothing after it, runs the SyncFail hooks and deletes it (HookFailed)", async () => {
    const { ns, envId } = await environmentWith({
      "migrate.yaml": job("migrate", {
        generate: true,
        fail: true,
        hook: { "argocd.argoproj.io/hook": "PreSync", "argocd.argoproj.io/hook-delete-policy": "HookFailed" },
      }),
      "deployment.yaml": deployment("web"),
      "notify.yaml": job("notify", { hook: { "argocd.argoproj.io/hook": "SyncFail" } }),
    });
    await reconcileEnvironment(reconcileDeps(), envId);
    const run = await syncNow(envId);
    expect(run.status).toBe("failed");
    const record = await prisma().syncRun.findUniqueOrThrow({ where: { id: run.runId } });
    expect(record.error).toMatch(/PreSync hook Job migrate-[a-z0-9]+ failed/);
    const results = record.results as unknown as Results;
    expect(results.find((r) => r.hook?.phase === "PreSync")).toMatchObject({ action: "failed", hook: { status: "Failed", deleted: true } });
    expect(results.find((r) => r.kind === "Deployment")).toMatchObject({ action: "skipped", message: expect.stringContaining("not applied: PreSync hooks") });
    expect(results.find((r) => r.hook?.phase === "SyncFail")).toMatchObject({ name: "notify", action: "applied", hook: { status: "Succeeded" } });
    await expect(kubeRequest(adminClient(), "GET", `/apis/apps/v1/namespaces/${ns}/deployments/web`)).rejects.toMatchObject({ failure: "not_found" });
    const live = await eventually(
      () => jobsOf(ns, envId),
      (l) => l.length === 1,
    );
    expect(live.map((j) => j.metadata.name)).toEqual(["notify"]); // the failed migration was deleted
    expect((await prisma().environment.findUniqueOrThrow({ where: { id: envId } })).syncedRevision).toBeNull();
  }, 90_000);
});

describe("gated waves", () => {
  it("starts wave 2 only once wave 1's Job completed, showing the wait and the applied objects' live state on the page", async () => {
    const { ns, envId } = await environmentWith({
      "slow.yaml": job("slow", { runFor: "6s", wave: "1" }),
      "after.yaml": configMap("after", { "argocd.argoproj.io/sync-wave": "2" }),
    });
    await reconcileEnvironment(reconcileDeps(), envId);
    expect((await page(envId)).runningSync).toBeNull();
    const syncing = syncNow(envId);
    const during = await eventually(
      () => page(envId),
      (p) => /waiting for Job slow/.test(p.runningSync?.summary ?? ""),
      20_000,
    );
    expect(during.runningSync).toMatchObject({
      status: "running",
      summary: expect.stringMatching(/^Syncing: wave 1 of 2 \(sync-wave 1\): waiting for Job slow \(running/),
    });
    expect(during.runningSync.progress.waitingFor).toEqual([expect.objectContaining({ kind: "Job", name: "slow", health: "Progressing" })]);
    // Applied and running, not "Missing"; the next wave's object is not in the cluster yet.
    const objects = await eventually(
      () => page(envId),
      (p) => p.resources.find((r: { name: string }) => r.name === "slow")?.syncStatus === "Synced",
      5_000,
    );
    expect(objects.resources.find((r: { name: string }) => r.name === "slow")).toMatchObject({ syncStatus: "Synced", health: "Progressing" });
    expect(objects.resources.find((r: { name: string }) => r.name === "after")).toMatchObject({ syncStatus: "Missing" });
    await expect(kubeRequest(adminClient(), "GET", `/api/v1/namespaces/${ns}/configmaps/after`)).rejects.toMatchObject({ failure: "not_found" });

    const run = await syncing;
    expect(run.status).toBe("succeeded");
    const slow = await kubeRequest<LiveJob>(adminClient(), "GET", `/apis/batch/v1/namespaces/${ns}/jobs/slow`);
    const after = await kubeRequest<{ metadata: { creationTimestamp: string } }>(adminClient(), "GET", `/api/v1/namespaces/${ns}/configmaps/after`);
    expect(Date.parse(slow.status!.completionTime!)).toBeLessThanOrEqual(Date.parse(after.metadata.creationTimestamp));
    expect((await page(envId)).runningSync).toBeNull();
  }, 90_000);

  it("fails the sync with a clear message when a wave is not healthy in time, and applies nothing after it", async () => {
    const { ns, envId } = await environmentWith({
      "slow.yaml": job("slow", { runFor: "60s", wave: "1" }),
      "after.yaml": configMap("after", { "argocd.argoproj.io/sync-wave": "2" }),
    });
    await reconcileEnvironment(reconcileDeps(), envId);
    const run = await syncNow(envId, { healthTimeoutMs: 3_000 });
    expect(run.status).toBe("failed");
    const record = await prisma().syncRun.findUniqueOrThrow({ where: { id: run.runId } });
    expect(record.error).toMatch(/^wave 1 of 2 \(sync-wave 1\) was not healthy within 3 s \(Job slow \(running: .*\)\); later waves were not applied$/);
    expect((record.results as unknown as Results).find((r) => r.name === "after")).toMatchObject({ action: "skipped" });
    await expect(kubeRequest(adminClient(), "GET", `/api/v1/namespaces/${ns}/configmaps/after`)).rejects.toMatchObject({ failure: "not_found" });
  }, 60_000);
});

describe("honest results", () => {
  it("ends partial, naming the objects whose kind the cluster does not serve", async () => {
    const { ns, envId } = await environmentWith({
      "cm.yaml": configMap("settings"),
      "widget.yaml": stringify({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }),
    });
    await reconcileEnvironment(reconcileDeps(), envId);
    const run = await syncNow(envId);
    expect(run.status).toBe("partial");
    const record = await prisma().syncRun.findUniqueOrThrow({ where: { id: run.runId } });
    expect(record.error).toMatch(/^1 object\(s\) not applied: Widget w \(Cluster .*example\.com\/v1 \(is its CRD installed\?\)\)$/);
    const results = record.results as unknown as Results;
    expect(results.find((r) => r.kind === "Widget")).toMatchObject({ action: "skipped" });
    expect(results.find((r) => r.name === "settings")).toMatchObject({ action: "applied" });
    await kubeRequest(adminClient(), "GET", `/api/v1/namespaces/${ns}/configmaps/settings`);
  }, 60_000);
});

describe("previews and selective syncs", () => {
  it("the preview lists hooks and skipped kinds (not as blockers); a selection of some objects runs no hooks, a selection of every changed object does", async () => {
    const { ns, envId } = await environmentWith({
      "migrate.yaml": job("migrate", { generate: true, hook: { "argocd.argoproj.io/hook": "PreSync" } }),
      "a.yaml": configMap("a"),
      "b.yaml": configMap("b"),
      "widget.yaml": stringify({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }),
    });
    const preview = await previewSync(reconcileDeps(), envId);
    expect(preview.hooks).toEqual([
      expect.objectContaining({ kind: "Job", name: "migrate-", phases: ["PreSync"], deletePolicies: ["BeforeHookCreation"], error: null }),
    ]);
    expect(preview.blocked).toEqual([]);
    expect(preview.skipped).toEqual([expect.stringMatching(/^Widget\/w: .*is its CRD installed\?/)]);
    const id = (name: string) => preview.objects.find((o) => o.name === name)!.id;

    const some = await syncNow(envId, { only: [id("a")] });
    expect(some.status).toBe("succeeded");
    expect(some.results.some((r) => r.hook)).toBe(false);
    expect(await jobsOf(ns, envId)).toEqual([]);

    await reconcileEnvironment(reconcileDeps(), envId);
    const all = await syncNow(envId, { only: [id("b"), id("w")] }); // a is Synced now: b and the (skipped) Widget are everything that differs
    expect(all.status).toBe("partial");
    expect(all.results.find((r) => r.hook?.phase === "PreSync")).toMatchObject({ action: "applied", hook: { status: "Succeeded" } });
    expect(await jobsOf(ns, envId)).toHaveLength(1);
  }, 60_000);
});

describe("a custom resource and its CRD in one render", () => {
  it("applies the CRD, waits until it is established, then the custom resource (Argo CD does the same), and the next compare is Synced", async () => {
    const ns = uniqueName("crd").toLowerCase();
    const kind = `Gizmo${ns.replace(/[^a-z0-9]/g, "")}`;
    const plural = kind.toLowerCase() + "s";
    const crd = stringify({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: `${plural}.${ns}.example.com` },
      spec: {
        group: `${ns}.example.com`,
        names: { kind, plural },
        scope: "Namespaced",
        versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
      },
    });
    const cr = stringify({ apiVersion: `${ns}.example.com/v1`, kind, metadata: { name: "g1" }, spec: { size: 3 } });
    for (const [file, content] of Object.entries({ "crd.yaml": crd, "gizmo.yaml": cr }))
      await commitFile(setup.bare, { branch: "main", path: `crds/${ns}/${file}`, content, message: `${ns}: ${file}` });
    await fetchRepository(fetchDeps(), setup.repo.id);
    const project = await createProject(prisma(), {
      name: `crds-${ns}`,
      sourceRepos: [{ repository: "*", path: "**" }],
      destinations: [{ cluster: "*", namespace: "*" }],
      clusterResourceWhitelist: [{ group: "apiextensions.k8s.io", kind: "CustomResourceDefinition" }],
    });
    const app = await createApplication(prisma(), { name: `crds-${ns}`, projectId: project.id });
    const env = await createEnvironment(prisma(), tidelineEnv().mirrorsDir, app.id, {
      name: "dev",
      branch: "main",
      repositoryId: setup.repo.id,
      clusterId: setup.cluster.id,
      renderer: "auto",
      helmValuesFiles: [],
      path: `crds/${ns}`,
      namespace: ns,
    });

    await reconcileEnvironment(reconcileDeps(), env.id);
    expect((await states(env.id))[`${kind}/g1`]).toMatchObject({ syncStatus: "Missing", message: null });
    const run = await syncNow(env.id);
    expect(run.status).toBe("succeeded");
    const results = await resultsOf(run.runId);
    const order = results.filter((r) => r.action === "applied").map((r) => r.kind);
    expect(order.indexOf("CustomResourceDefinition")).toBeLessThan(order.indexOf(kind));
    const live = await kubeRequest<{ metadata: { labels: Record<string, string> } }>(
      adminClient(),
      "GET",
      `/apis/${ns}.example.com/v1/namespaces/${ns}/${plural}/g1`,
    );
    expect(live.metadata.labels["app.tideline.dev/environment"]).toBe(env.id);
    await reconcileEnvironment(reconcileDeps(), env.id);
    expect((await states(env.id))[`${kind}/g1`]).toMatchObject({ syncStatus: "Synced" });
    expect((await prisma().environment.findUniqueOrThrow({ where: { id: env.id } })).syncStatus).toBe("Synced");
  }, 90_000);
});

describe("a sync interrupted while a hook runs", () => {
  it("finds the hook object again by label when the run is resumed, instead of creating another", async () => {
    const { ns, envId } = await environmentWith({
      "migrate.yaml": job("migrate", {
        generate: true,
        runFor: "5s",
        hook: { "argocd.argoproj.io/hook": "PreSync", "argocd.argoproj.io/hook-delete-policy": "HookSucceeded" },
      }),
      "cm.yaml": configMap("settings"),
    });
    await jobs().start();
    const deps = { ...reconcileDeps(), jobs: jobs() };
    const queued = await prisma().syncRun.create({ data: { environmentId: envId, trigger: "manual", actorName: "tester", status: "queued", revision: "" } });
    // The worker holding the sync stops (its claim lapses) while the PreSync Job runs: the run stays "running".
    const stop = new AbortController();
    const first = runEnvironmentWork(deps, envId, { jobId: "first", attempt: 0, signal: stop.signal });
    const started = await eventually(
      () => jobsOf(ns, envId),
      (l) => l.length === 1,
      20_000,
    );
    expect(started).toHaveLength(1);
    stop.abort();
    await expect(first).rejects.toThrow(/lost its claim/);
    expect((await prisma().syncRun.findUniqueOrThrow({ where: { id: queued.id } })).status).toBe("running");

    // The next attempt marks it interrupted, resumes it, and waits for the same Job.
    await runEnvironmentWork(deps, envId, { jobId: "second", attempt: 1, signal: new AbortController().signal });
    expect((await prisma().syncRun.findUniqueOrThrow({ where: { id: queued.id } })).status).toBe("interrupted");
    const resumed = await prisma().syncRun.findFirstOrThrow({ where: { resumedFromId: queued.id } });
    expect(resumed.status).toBe("succeeded");
    const hook = (resumed.results as unknown as Results).find((r) => r.hook?.phase === "PreSync");
    expect(hook).toMatchObject({ name: started[0]!.metadata.name, hook: { status: "Succeeded", adopted: true, deleted: true } });
    expect(
      await eventually(
        () => jobsOf(ns, envId),
        (l) => l.length === 0,
      ),
    ).toEqual([]);
  }, 90_000);
});

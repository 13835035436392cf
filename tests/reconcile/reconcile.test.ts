// The reconcile loop end to end: Git (real server) -> render -> drift against the real
// kube-apiserver -> sync -> health, plus live drift, self-heal and prune (one reconcile at a time across workers: tests/jobs/workers.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcileEnvironment, assessEnvironment } from "../../lib/reconcile/reconcile-environment";
import { syncEnvironment } from "../../lib/reconcile/sync";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { updateEnvironmentSettings } from "../../lib/environments/manage-environments";
import { fetchDeps, reconcileDeps } from "../../server/root";
import { kubeRequest } from "../../lib/kube/transport";
import { commitFile, runGit } from "../../support/demo-repo";
import { startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { demoSetup } from "../helpers/environments";
import { prisma, uniqueName } from "../helpers/db";
import { adminClient, eventually } from "../helpers/testbed";

let git: GitFixtures;
let setup: Awaited<ReturnType<typeof demoSetup>>;
beforeAll(async () => {
  git = await startGitFixtures();
  setup = await demoSetup(git);
});
afterAll(() => git.stop());

const states = async (environmentId: string) =>
  Object.fromEntries((await prisma().resourceState.findMany({ where: { environmentId } })).map((r) => [`${r.kind}/${r.name}`, r]));

async function syncNow(environmentId: string, trigger: "manual" = "manual") {
  const env = await prisma().environment.findUniqueOrThrow({ where: { id: environmentId } });
  const { desired, reports, cache } = await assessEnvironment(reconcileDeps(), env);
  return syncEnvironment({
    prisma: prisma(),
    cache,
    environmentId,
    revision: desired.revision,
    desired: desired.objects,
    reports,
    trigger,
    actorName: "tester",
    prune: env.prune,
    allowEmpty: env.allowEmpty,
    namespace: env.namespace,
    healthTimeoutMs: 90_000,
  });
}

describe("reconcile a Kustomize environment", () => {
  let envId: string;
  let ns: string;
  beforeAll(async () => {
    ns = uniqueName("gb").toLowerCase();
    // The overlay pins namespace guestbook-dev; point a copy of it at a fresh namespace.
    await commitFile(setup.bare, {
      branch: "main",
      path: `envs/${ns}/kustomization.yaml`,
      content: `namespace: ${ns}\nresources:\n  - ../../apps/guestbook/overlays/dev\n`,
      message: `add ${ns}`,
    });
    await fetchRepository(fetchDeps(), setup.repo.id);
    envId = (await setup.addEnv({ name: "dev", path: `envs/${ns}`, namespace: ns })).id;
  });

  it("detects the renderer and reports everything Missing before the first sync", async () => {
    const env = await prisma().environment.findUniqueOrThrow({ where: { id: envId } });
    expect(env.renderer).toBe("kustomize");
    const out = await reconcileEnvironment(reconcileDeps(), envId);
    expect(out.ran).toBe(true);
    const s = await states(envId);
    expect(Object.keys(s).sort()).toEqual(["ConfigMap/guestbook-config", "Deployment/guestbook", "Service/guestbook"]);
    expect(Object.values(s).every((r) => r.syncStatus === "Missing")).toBe(true);
    expect((await prisma().environment.findUniqueOrThrow({ where: { id: envId } })).syncStatus).toBe("OutOfSync");
  });

  it("syncs, records each object, and waits until the Deployment is healthy", async () => {
    const run = await syncNow(envId);
    expect(run.status).toBe("succeeded");
    const record = await prisma().syncRun.findUniqueOrThrow({ where: { id: run.runId } });
    const results = record.results as Array<{ kind: string; action: string; health?: string }>;
    expect(results.find((r) => r.kind === "Namespace")?.action).toBe("applied");
    expect(results.find((r) => r.kind === "Deployment")).toMatchObject({ action: "applied", health: "Healthy" });
    await reconcileEnvironment(reconcileDeps(), envId);
    const env = await prisma().environment.findUniqueOrThrow({ where: { id: envId } });
    expect(env).toMatchObject({ syncStatus: "Synced", health: "Healthy", syncedRevision: env.desiredRevision });
  });

  it("shows a live edit by someone else as drift, and honours ignore rules", async () => {
    await kubeRequest(adminClient(), "PATCH", `/apis/apps/v1/namespaces/${ns}/deployments/guestbook`, {
      query: { fieldManager: "kubectl-edit" },
      contentType: "application/merge-patch+json",
      body: { spec: { replicas: 3 } },
    });
    await eventually(
      async () => (await reconcileEnvironment(reconcileDeps(), envId), (await states(envId))["Deployment/guestbook"]!.syncStatus),
      (s) => s === "OutOfSync",
    );
    const drift = (await states(envId))["Deployment/guestbook"]!;
    expect(drift.changes).toEqual([{ path: "/spec/replicas", desired: 1, live: 3 }]);

    await updateEnvironmentSettings(prisma(), envId, { ignoreRules: [{ kind: "Deployment", jsonPointers: ["/spec/replicas"] }] });
    await reconcileEnvironment(reconcileDeps(), envId);
    expect((await states(envId))["Deployment/guestbook"]!.syncStatus).toBe("Synced");
    await updateEnvironmentSettings(prisma(), envId, { ignoreRules: [] });
  });

  it("self-heals live drift when auto-sync and self-heal are on", async () => {
    await updateEnvironmentSettings(prisma(), envId, { autoSync: true, selfHeal: true });
    const out = await reconcileEnvironment(reconcileDeps(), envId);
    expect(out.ran && out.synced?.status).toBe("succeeded");
    const live = await kubeRequest<{ spec: { replicas: number } }>(adminClient(), "GET", `/apis/apps/v1/namespaces/${ns}/deployments/guestbook`);
    expect(live.spec.replicas).toBe(1);
    expect((await prisma().syncRun.findFirstOrThrow({ where: { environmentId: envId }, orderBy: { startedAt: "desc" } })).trigger).toBe("self-heal");
  });

  it("follows a new commit with auto-sync", async () => {
    const sha = await commitFile(setup.bare, {
      branch: "main",
      path: "apps/guestbook/overlays/dev/configmap-patch.yaml",
      content: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: guestbook-config\ndata:\n  LOG_LEVEL: "trace"\n',
      message: "dev: trace logging",
    });
    await fetchRepository(fetchDeps(), setup.repo.id);
    const out = await reconcileEnvironment(reconcileDeps(), envId);
    expect(out.ran && out.synced?.status).toBe("succeeded");
    const cm = await kubeRequest<{ data: Record<string, string> }>(adminClient(), "GET", `/api/v1/namespaces/${ns}/configmaps/guestbook-config`);
    expect(cm.data.LOG_LEVEL).toBe("trace");
    expect((await prisma().environment.findUniqueOrThrow({ where: { id: envId } })).syncedRevision).toBe(sha);
  });

  it("prunes objects removed from Git only when prune is on, and never on an empty render", async () => {
    await commitFile(setup.bare, {
      branch: "main",
      path: `envs/${ns}/kustomization.yaml`,
      content: `namespace: ${ns}\nresources:\n  - ../../apps/guestbook/overlays/dev\npatches:\n  - patch: |-\n      $patch: delete\n      apiVersion: v1\n      kind: Service\n      metadata:\n        name: guestbook\n`,
      message: "drop the service",
    });
    await fetchRepository(fetchDeps(), setup.repo.id);
    await updateEnvironmentSettings(prisma(), envId, { autoSync: false, selfHeal: false });
    await reconcileEnvironment(reconcileDeps(), envId);
    expect((await prisma().environment.findUniqueOrThrow({ where: { id: envId } })).renderError).toBeNull();
    expect((await states(envId))["Service/guestbook"]!.syncStatus).toBe("Extraneous");

    await updateEnvironmentSettings(prisma(), envId, { prune: true });
    const run = await syncNow(envId);
    const results = (await prisma().syncRun.findUniqueOrThrow({ where: { id: run.runId } })).results as Array<{ kind: string; action: string }>;
    expect(results.find((r) => r.kind === "Service")?.action).toBe("pruned");
    await expect(kubeRequest(adminClient(), "GET", `/api/v1/namespaces/${ns}/services/guestbook`)).rejects.toMatchObject({ failure: "not_found" });

    // An empty render must not wipe the environment.
    await commitFile(setup.bare, {
      branch: "main",
      path: `envs/${ns}/kustomization.yaml`,
      content: `namespace: ${ns}\nresources: []\n`,
      message: "oops, empty",
    });
    await fetchRepository(fetchDeps(), setup.repo.id);
    await reconcileEnvironment(reconcileDeps(), envId);
    const emptyRun = await syncNow(envId);
    const emptyResults = (await prisma().syncRun.findUniqueOrThrow({ where: { id: emptyRun.runId } })).results as Array<{
      kind: string;
      action: string;
      message: string;
    }>;
    expect(emptyResults.filter((r) => r.kind === "Deployment")).toEqual([
      expect.objectContaining({ action: "skipped", message: expect.stringContaining("Git rendered no objects") }),
    ]);
    await kubeRequest(adminClient(), "GET", `/apis/apps/v1/namespaces/${ns}/deployments/guestbook`);
  });
});

describe("bad input", () => {
  it("records a 422 on the object concerned, skips later waves, and resumes after the fix", async () => {
    const ns = uniqueName("inv").toLowerCase();
    const good = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\n";
    const invalid = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: invalid\ndata:\n  "not a valid key!": x\n';
    const later = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: later\n  annotations:\n    tideline.dev/sync-wave: "5"\n';
    await commitFile(setup.bare, { branch: "main", path: `inv/${ns}/good.yaml`, content: good, message: "good" });
    await commitFile(setup.bare, { branch: "main", path: `inv/${ns}/invalid.yaml`, content: invalid, message: "invalid" });
    await commitFile(setup.bare, { branch: "main", path: `inv/${ns}/later.yaml`, content: later, message: "later wave" });
    await fetchRepository(fetchDeps(), setup.repo.id);
    const env = await setup.addEnv({ name: ns, path: `inv/${ns}`, namespace: ns });
    await reconcileEnvironment(reconcileDeps(), env.id);

    const run = await syncNow(env.id);
    expect(run.status).toBe("partial");
    const results = (await prisma().syncRun.findUniqueOrThrow({ where: { id: run.runId } })).results as Array<{
      name: string;
      action: string;
      message: string;
    }>;
    expect(results.find((r) => r.name === "invalid")).toMatchObject({ action: "failed", message: expect.stringContaining("HTTP 422") });
    expect(results.find((r) => r.name === "good")?.action).toBe("applied");
    expect(results.find((r) => r.name === "later")).toMatchObject({ action: "skipped", message: expect.stringContaining("an earlier wave failed") });

    await commitFile(setup.bare, {
      branch: "main",
      path: `inv/${ns}/invalid.yaml`,
      content: invalid.replace('"not a valid key!"', "fixed"),
      message: "fix key",
    });
    await fetchRepository(fetchDeps(), setup.repo.id);
    await reconcileEnvironment(reconcileDeps(), env.id);
    expect((await syncNow(env.id)).status).toBe("succeeded");
    await reconcileEnvironment(reconcileDeps(), env.id);
    expect((await prisma().environment.findUniqueOrThrow({ where: { id: env.id } })).syncStatus).toBe("Synced");
  });

  it("records 403 Forbidden on each object when the credentials may read but not write", async () => {
    const { registerCluster } = await import("../../lib/clusters/manage-clusters");
    const { clusterDeps } = await import("../../server/root");
    const { testbedKubeconfig, createNamespace } = await import("../helpers/testbed");
    const { parse, stringify } = await import("yaml");
    // A read-only identity: a service account allowed to get/list/watch, nothing else.
    const admin = adminClient();
    const ns = uniqueName("ro").toLowerCase();
    await createNamespace(admin, ns);
    await kubeRequest(admin, "POST", `/api/v1/namespaces/${ns}/serviceaccounts`, {
      body: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "reader" } },
    });
    await kubeRequest(admin, "POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
      body: {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: `${ns}-reader` },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
        subjects: [{ kind: "ServiceAccount", name: "reader", namespace: ns }],
      },
    });
    await kubeRequest(admin, "POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", {
      body: {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: `${ns}-ns-reader` },
        rules: [{ apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list", "watch"] }],
      },
    });
    await kubeRequest(admin, "POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
      body: {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: `${ns}-ns-reader` },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: `${ns}-ns-reader` },
        subjects: [{ kind: "ServiceAccount", name: "reader", namespace: ns }],
      },
    });
    const token = await kubeRequest<{ status: { token: string } }>(admin, "POST", `/api/v1/namespaces/${ns}/serviceaccounts/reader/token`, {
      body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 3600 } },
    });
    const kc = parse(testbedKubeconfig("admin"));
    kc.users = [{ name: "reader", user: { token: token.status.token } }];
    kc.contexts[0].context.user = "reader";
    const kubeconfig = stringify(kc);
    const { cluster } = await registerCluster(clusterDeps(), {
      source: "kubeconfig",
      name: uniqueName("ro").toLowerCase(),
      kubeconfig,
      context: kc["current-context"],
    });

    await commitFile(setup.bare, {
      branch: "main",
      path: `ro/${ns}/cm.yaml`,
      content: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n",
      message: "ro",
    });
    await fetchRepository(fetchDeps(), setup.repo.id);
    const env = await setup.addEnv({ name: ns, path: `ro/${ns}`, namespace: ns, clusterId: cluster.id });
    const run = await syncNow(env.id);
    expect(run.status).toBe("failed");
    const results = (await prisma().syncRun.findUniqueOrThrow({ where: { id: run.runId } })).results as Array<{
      name: string;
      action: string;
      message: string;
    }>;
    expect(results.find((r) => r.name === "cm")).toMatchObject({ action: "failed", message: expect.stringContaining("HTTP 403") });
  });

  it("blocks a sync with a clear error when an object's kind is not installed or sits in another namespace", async () => {
    const ns = uniqueName("bad").toLowerCase();
    await commitFile(setup.bare, {
      branch: "main",
      path: `bad/${ns}/widget.yaml`,
      content: `apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n`,
      message: "crd missing",
    });
    await commitFile(setup.bare, {
      branch: "main",
      path: `bad/${ns}/other.yaml`,
      content: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: kube-system\n`,
      message: "foreign namespace",
    });
    await fetchRepository(fetchDeps(), setup.repo.id);
    const env = await setup.addEnv({ name: ns, path: `bad/${ns}`, namespace: ns });
    await reconcileEnvironment(reconcileDeps(), env.id);
    const s = await states(env.id);
    expect(s["Widget/w"]).toMatchObject({ syncStatus: "Error", message: expect.stringContaining("is its CRD installed?") });
    expect(s["ConfigMap/c"]).toMatchObject({ syncStatus: "Error", message: expect.stringContaining("does not own") });
    await expect(syncNow(env.id)).rejects.toMatchObject({ message: expect.stringContaining("Sync blocked") });
    const run = await prisma().syncRun.findFirstOrThrow({ where: { environmentId: env.id } });
    expect(run).toMatchObject({ status: "failed", error: expect.stringContaining("Sync blocked") });
  });

  it("shows a render error on the environment", async () => {
    const ns = uniqueName("yaml").toLowerCase();
    await commitFile(setup.bare, { branch: "main", path: `broken/${ns}/a.yaml`, content: "kind: [\n", message: "broken yaml" });
    await fetchRepository(fetchDeps(), setup.repo.id);
    const env = await setup.addEnv({ name: ns, path: `broken/${ns}`, namespace: ns });
    await reconcileEnvironment(reconcileDeps(), env.id);
    expect((await prisma().environment.findUniqueOrThrow({ where: { id: env.id } })).renderError).toMatch(/a\.yaml:\d+: invalid YAML/);
    void runGit;
  });
});

// Issue 14, finding 2, reproduced against the test bed and a real Git server: an environment's
// folder reaches beyond its project (another application's Namespace, a ClusterRoleBinding to
// cluster-admin, a CRD) or onto objects another environment owns. Preview and sync refuse with a
// per-object error naming the project, nothing is applied (checked in the cluster), another
// environment's object is a conflict naming its owner and is never overwritten or pruned, an
// unlabelled existing object is adopted only when the environment allows it, and an environment
// whose source or destination left its project applies nothing. A rollback refuses the same way.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assessEnvironment } from "../../lib/reconcile/reconcile-environment";
import { previewSync } from "../../lib/reconcile/manual-sync";
import { syncEnvironment } from "../../lib/reconcile/sync";
import { deleteObject } from "../../lib/reconcile/apply";
import { INVENTORY_LABEL } from "../../lib/reconcile/desired";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { createApplication, createEnvironment, updateEnvironmentSettings } from "../../lib/environments/manage-environments";
import { createProject, updateProject } from "../../lib/projects/manage-projects";
import { createSession } from "../../lib/auth/sessions";
import { fetchDeps, reconcileDeps } from "../../server/root";
import { env as tidelineEnv } from "../../lib/env";
import { KubeError, kubeRequest } from "../../lib/kube/transport";
import { commitFile } from "../../support/demo-repo";
import { startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { demoSetup } from "../helpers/environments";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { adminClient, eventually } from "../helpers/testbed";
import { callRoute } from "../helpers/routes";
import { startTestWorker, stopTestWorker } from "../helpers/worker";

let git: GitFixtures;
let setup: Awaited<ReturnType<typeof demoSetup>>;
let ns: string;
let payments: { id: string; name: string };
let platform: { id: string; name: string };

type Result = { kind: string; name: string; action: string; message: string };

async function fetchNow() {
  for (let i = 0; i < 40; i += 1) {
    if ((await fetchRepository(fetchDeps(), setup.repo.id)).status === "fetched") return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function syncNow(environmentId: string) {
  const env = await prisma().environment.findUniqueOrThrow({ where: { id: environmentId } });
  const { desired, reports, cache } = await assessEnvironment(reconcileDeps(), env);
  return syncEnvironment({
    prisma: prisma(),
    cache,
    environmentId,
    revision: desired.revision,
    desired: desired.objects,
    reports,
    trigger: "manual",
    actorName: "tester",
    prune: env.prune,
    allowEmpty: env.allowEmpty,
    namespace: env.namespace,
    healthTimeoutMs: 60_000,
  });
}

/** The live object, or null when the API server answers 404. */
async function live(path: string): Promise<{ metadata: { labels?: Record<string, string>; uid: string }; rules?: unknown } | null> {
  try {
    return await kubeRequest(adminClient(), "GET", path);
  } catch (e) {
    if (e instanceof KubeError && e.failure === "not_found") return null;
    throw e;
  }
}

const lastRun = (environmentId: string) => prisma().syncRun.findFirstOrThrow({ where: { environmentId }, orderBy: { queuedAt: "desc" } });

async function addEnv(applicationId: string, name: string, folder: string, namespace: string, extra: Record<string, unknown> = {}) {
  return createEnvironment(prisma(), tidelineEnv().mirrorsDir, applicationId, {
    name,
    branch: "main",
    repositoryId: setup.repo.id,
    clusterId: setup.cluster.id,
    renderer: "plain",
    helmValuesFiles: [],
    path: folder,
    namespace,
    prune: true,
    ...extra,
  });
}

const clusterRole = (name: string, verbs: string[]) =>
  `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: ${name}\nrules:\n  - apiGroups: [""]\n    resources: ["configmaps"]\n    verbs: ${JSON.stringify(verbs)}\n`;

beforeAll(async () => {
  git = await startGitFixtures();
  setup = await demoSetup(git);
  ns = uniqueName("pj").toLowerCase();
  payments = await createProject(prisma(), {
    name: `payments-${ns}`,
    sourceRepos: [{ repository: "*", path: `projects/${ns}/**` }],
    destinations: [{ cluster: "*", namespace: `${ns}-*` }],
  });
  platform = await createProject(prisma(), {
    name: `platform-${ns}`,
    sourceRepos: [{ repository: "*", path: "**" }],
    destinations: [{ cluster: "*", namespace: "*" }],
    clusterResourceWhitelist: [
      { group: "rbac.authorization.k8s.io", kind: "ClusterRole" },
      { group: "", kind: "Namespace" },
    ],
  });
});
afterAll(async () => {
  await stopTestWorker();
  await git.stop();
});

describe("finding 2: cluster-scoped objects outside the project", () => {
  it("preview and sync refuse a Namespace of another application, a ClusterRoleBinding to cluster-admin and a CRD, naming the project; nothing is applied", async () => {
    // The victim: another application's namespace, labelled by its environment.
    const victim = await addEnv(setup.app.id, "victim", "", `${ns}-victim`);
    await kubeRequest(adminClient(), "POST", "/api/v1/namespaces", {
      body: { apiVersion: "v1", kind: "Namespace", metadata: { name: `${ns}-victim`, labels: { [INVENTORY_LABEL]: victim.id } } },
    });
    const folder = `projects/${ns}/team`;
    const files: Record<string, string> = {
      "configmap.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: "1"\n`,
      "namespace.yaml": `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}-victim\n`,
      "crb.yaml": `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: ${ns}-takeover\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n  - kind: ServiceAccount\n    name: default\n    namespace: ${ns}-team\n`,
      "crd.yaml": `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: gadgets${ns}.example.com\nspec:\n  group: example.com\n  names:\n    kind: Gadget${ns}\n    plural: gadgets${ns}\n  scope: Namespaced\n  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n          type: object\n`,
    };
    for (const [file, content] of Object.entries(files))
      await commitFile(setup.bare, { branch: "main", path: `${folder}/${file}`, content, message: `team ${file}` });
    await fetchNow();
    const app = await createApplication(prisma(), { name: `team-${ns}`, projectId: payments.id });
    const team = await addEnv(app.id, "team", folder, `${ns}-team`);

    const preview = await previewSync(reconcileDeps(), team.id);
    const errorOf = (kind: string) => preview.objects.find((o) => o.kind === kind)?.error ?? "";
    expect(errorOf("ClusterRoleBinding")).toContain(`ClusterRoleBinding is not allowed in project ${payments.name}`);
    expect(errorOf("Namespace")).toContain(`Namespace is not allowed in project ${payments.name}`);
    expect(errorOf("CustomResourceDefinition")).toContain(`CustomResourceDefinition is not allowed in project ${payments.name}`);
    expect(errorOf("ConfigMap")).toBe("");
    expect(preview.blocked).toHaveLength(3);

    await expect(syncNow(team.id)).rejects.toMatchObject({ message: expect.stringContaining("Sync blocked: 3 object(s)") });
    const run = await lastRun(team.id);
    expect(run.status).toBe("failed");
    const results = run.results as unknown as Result[];
    expect(
      results
        .filter((r) => r.action === "failed")
        .map((r) => r.kind)
        .sort(),
    ).toEqual(["ClusterRoleBinding", "CustomResourceDefinition", "Namespace"]);
    expect(results.find((r) => r.kind === "ClusterRoleBinding")!.message).toContain(`not allowed in project ${payments.name}`);
    expect(results.some((r) => r.action === "applied")).toBe(false);
    // Nothing reached the cluster: no binding, no CRD, not even the environment's namespace or its ConfigMap.
    expect(await live(`/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${ns}-takeover`)).toBeNull();
    expect(await live(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets${ns}.example.com`)).toBeNull();
    expect(await live(`/api/v1/namespaces/${ns}-team`)).toBeNull();
    expect((await live(`/api/v1/namespaces/${ns}-victim`))!.metadata.labels?.[INVENTORY_LABEL]).toBe(victim.id);
  });
});

describe("ownership", () => {
  it("another environment's object is a conflict naming its owner, is not overwritten, and the next prune leaves it", async () => {
    const name = `${ns}-reader`;
    await commitFile(setup.bare, { branch: "main", path: `owners/${ns}/a/role.yaml`, content: clusterRole(name, ["get"]), message: "owner a" });
    await commitFile(setup.bare, {
      branch: "main",
      path: `owners/${ns}/b/role.yaml`,
      content: clusterRole(name, ["get", "list", "watch", "create", "delete"]),
      message: "intruder b",
    });
    await fetchNow();
    const ownerApp = await createApplication(prisma(), { name: `owner-${ns}`, projectId: platform.id });
    const intruderApp = await createApplication(prisma(), { name: `intruder-${ns}`, projectId: platform.id });
    const owner = await addEnv(ownerApp.id, "prod", `owners/${ns}/a`, `${ns}-owner`);
    const intruder = await addEnv(intruderApp.id, "dev", `owners/${ns}/b`, `${ns}-intruder`);
    expect((await syncNow(owner.id)).status).toBe("succeeded");
    const before = (await live(`/apis/rbac.authorization.k8s.io/v1/clusterroles/${name}`))!;
    expect(before.metadata.labels?.[INVENTORY_LABEL]).toBe(owner.id);

    const preview = await previewSync(reconcileDeps(), intruder.id);
    const role = preview.objects.find((o) => o.kind === "ClusterRole")!;
    expect(role.error).toContain(`belongs to environment prod of application owner-${ns}`);
    await expect(syncNow(intruder.id)).rejects.toMatchObject({ message: expect.stringContaining("Sync blocked") });
    const after = (await live(`/apis/rbac.authorization.k8s.io/v1/clusterroles/${name}`))!;
    expect(after.metadata.labels?.[INVENTORY_LABEL]).toBe(owner.id);
    expect(after.rules).toEqual(before.rules);

    // The intruder drops the file and prunes: the object is not in its inventory, so it stays.
    await commitFile(setup.bare, {
      branch: "main",
      path: `owners/${ns}/b/role.yaml`,
      content: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: placeholder\n`,
      message: "intruder drops the role",
    });
    await fetchNow();
    const pruned = await syncNow(intruder.id);
    expect(pruned.results.some((r) => r.kind === "ClusterRole")).toBe(false);
    expect((await live(`/apis/rbac.authorization.k8s.io/v1/clusterroles/${name}`))!.metadata.uid).toBe(before.metadata.uid);
    // Even asked directly, prune refuses an object carrying another environment's label.
    const cache = await reconcileDeps().cacheFor(setup.cluster.id);
    const type = await cache.discovery.resolve("rbac.authorization.k8s.io/v1", "ClusterRole");
    await expect(deleteObject(cache.client, type, undefined, name, intruder.id)).rejects.toMatchObject({ code: "conflict" });
    expect(await live(`/apis/rbac.authorization.k8s.io/v1/clusterroles/${name}`)).not.toBeNull();
  });

  it("an unlabelled existing object is a conflict unless the environment adopts existing objects", async () => {
    const name = `${ns}-existing`;
    await kubeRequest(adminClient(), "POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", {
      body: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name }, rules: [] },
    });
    await commitFile(setup.bare, { branch: "main", path: `adopt/${ns}/role.yaml`, content: clusterRole(name, ["get"]), message: "adopt" });
    await fetchNow();
    const app = await createApplication(prisma(), { name: `adopter-${ns}`, projectId: platform.id });
    const adopter = await addEnv(app.id, "dev", `adopt/${ns}`, `${ns}-adopter`);
    const preview = await previewSync(reconcileDeps(), adopter.id);
    expect(preview.objects[0]!.error).toContain("already exists in the cluster and is not managed by Tideline");
    await expect(syncNow(adopter.id)).rejects.toMatchObject({ message: expect.stringContaining("Sync blocked") });
    expect((await live(`/apis/rbac.authorization.k8s.io/v1/clusterroles/${name}`))!.metadata.labels?.[INVENTORY_LABEL]).toBeUndefined();

    await updateEnvironmentSettings(prisma(), adopter.id, { adoptExisting: true });
    expect((await syncNow(adopter.id)).status).toBe("succeeded");
    expect((await live(`/apis/rbac.authorization.k8s.io/v1/clusterroles/${name}`))!.metadata.labels?.[INVENTORY_LABEL]).toBe(adopter.id);
  });
});

describe("source and destination", () => {
  it("an environment whose destination or source left its project refuses every object and applies nothing", async () => {
    const folder = `projects/${ns}/moved`;
    await commitFile(setup.bare, {
      branch: "main",
      path: `${folder}/cm.yaml`,
      content: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: moved\n`,
      message: "moved",
    });
    await fetchNow();
    const project = await createProject(prisma(), {
      name: `narrow-${ns}`,
      sourceRepos: [{ repository: "*", path: `projects/${ns}/**` }],
      destinations: [{ cluster: "*", namespace: `${ns}-*` }],
    });
    const app = await createApplication(prisma(), { name: `narrow-${ns}`, projectId: project.id });
    const e = await addEnv(app.id, "dev", folder, `${ns}-moved`);
    // Refused at creation already: a namespace outside the project's destinations.
    await expect(addEnv(app.id, "other", folder, "kube-public")).rejects.toMatchObject({
      code: "invalid",
      message: expect.stringContaining(`not allowed in project narrow-${ns}`),
    });

    await updateProject(prisma(), project.id, { destinations: [{ cluster: "*", namespace: "elsewhere-*" }] });
    let preview = await previewSync(reconcileDeps(), e.id);
    expect(preview.objects[0]!.error).toContain(`Destination cluster ${setup.cluster.name}, namespace ${ns}-moved is not allowed in project narrow-${ns}`);
    await expect(syncNow(e.id)).rejects.toMatchObject({ message: expect.stringContaining("Sync blocked") });
    expect(await live(`/api/v1/namespaces/${ns}-moved`)).toBeNull();

    await updateProject(prisma(), project.id, {
      destinations: [{ cluster: "*", namespace: `${ns}-*` }],
      sourceRepos: [{ repository: "*", path: "somewhere-else/**" }],
    });
    preview = await previewSync(reconcileDeps(), e.id);
    expect(preview.objects[0]!.error).toContain(`is not a source allowed in project narrow-${ns}`);
    await expect(syncNow(e.id)).rejects.toMatchObject({ message: expect.stringContaining("Sync blocked") });
    expect(await live(`/api/v1/namespaces/${ns}-moved`)).toBeNull();
  });
});

describe("rollback into an environment", () => {
  it("refuses a rollback to a revision whose objects the project no longer allows, naming the project", async () => {
    await startTestWorker();
    const folder = `projects/${ns}/rb`;
    await commitFile(setup.bare, { branch: "main", path: `${folder}/role.yaml`, content: clusterRole(`${ns}-rb`, ["get"]), message: "rb v1" });
    await fetchNow();
    const project = await createProject(prisma(), {
      name: `rb-${ns}`,
      sourceRepos: [{ repository: "*", path: "**" }],
      destinations: [{ cluster: "*", namespace: "*" }],
      clusterResourceWhitelist: [{ group: "rbac.authorization.k8s.io", kind: "ClusterRole" }],
    });
    const app = await createApplication(prisma(), { name: `rb-${ns}`, projectId: project.id });
    const e = await addEnv(app.id, "prod", folder, `${ns}-rb`);
    const first = await syncNow(e.id);
    expect(first.status).toBe("succeeded");
    await previewSync(reconcileDeps(), e.id); // stores the verdicts: the role is in the inventory, so v2 prunes it
    // Git moves on without the role, the environment follows; then the platform team withdraws ClusterRoles.
    await commitFile(setup.bare, {
      branch: "main",
      path: `${folder}/role.yaml`,
      content: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rb\n`,
      message: "rb v2",
    });
    await fetchNow();
    expect((await syncNow(e.id)).results.find((r) => r.kind === "ClusterRole")).toMatchObject({ action: "pruned" });
    await updateProject(prisma(), project.id, { clusterResourceWhitelist: [] });

    const admin = await makeUser("admin");
    const cookie = (await createSession(prisma(), admin.id, 1)).token;
    const res = await callRoute({
      file: "environments/[id]/rollback",
      method: "POST",
      url: `/api/environments/${e.id}/rollback`,
      params: { id: e.id },
      cookie,
      body: { syncRunId: first.runId },
    });
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    const run = await eventually(
      () => prisma().syncRun.findFirst({ where: { environmentId: e.id, trigger: "rollback" } }),
      (r) => !!r && !["queued", "running"].includes(r.status),
      30_000,
    );
    expect(run!.status).toBe("failed");
    expect(run!.error).toContain(`ClusterRole is not allowed in project rb-${ns}`);
    expect((run!.results as unknown as Result[]).find((r) => r.kind === "ClusterRole")).toMatchObject({ action: "failed" });
    expect(await live(`/apis/rbac.authorization.k8s.io/v1/clusterroles/${ns}-rb`)).toBeNull();
  });
});

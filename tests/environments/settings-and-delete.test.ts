// Environments as a user configures and removes them, through the API routes against real Postgres,
// a real Git server and the test bed: the branch defaults to the remote's HEAD (master here), Helm
// values files are set and used, every PATCH field is either applied or a 422 naming it, self-heal
// needs auto-sync, a folder with nothing to render is an error, and deleting an environment or an
// application keeps or prunes (only) its labelled live objects, audited.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession } from "../../lib/auth/sessions";
import { addRepository } from "../../lib/repositories/add-repository";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { requestSync } from "../../lib/reconcile/manual-sync";
import { reconcileEnvironment, assessEnvironment } from "../../lib/reconcile/reconcile-environment";
import { kubeRequest } from "../../lib/kube/transport";
import { fetchDeps, reconcileDeps, sealDeps } from "../../server/root";
import { commitFile, runGit } from "../../support/demo-repo";
import { startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { demoSetup } from "../helpers/environments";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { callRoute } from "../helpers/routes";
import { adminClient, createConfigMap, eventually } from "../helpers/testbed";
import { startTestWorker, stopTestWorker } from "../helpers/worker";

type Json = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
let git: GitFixtures;
let setup: Awaited<ReturnType<typeof demoSetup>>;
let admin: string;

beforeAll(async () => {
  await startTestWorker(); // the prune of a deletion runs as a job, as in the product
  git = await startGitFixtures();
  setup = await demoSetup(git);
  admin = (await createSession(prisma(), (await makeUser("admin")).id, 1)).token;
}, 180_000);
afterAll(async () => {
  await stopTestWorker();
  await git.stop();
});

const asJson = async (res: Response): Promise<Json> => ({ status: res.status, body: await res.json() });
const addEnv = (applicationId: string, body: Record<string, unknown>) =>
  callRoute({
    file: "applications/[id]/environments",
    method: "POST",
    url: `/api/applications/${applicationId}/environments`,
    params: { id: applicationId },
    cookie: admin,
    body,
  }).then(asJson);
const patchEnv = (id: string, body: Record<string, unknown>) =>
  callRoute({ file: "environments/[id]", method: "PATCH", url: `/api/environments/${id}`, params: { id }, cookie: admin, body }).then(asJson);
const deleteEnv = (id: string, prune: string) =>
  callRoute({ file: "environments/[id]", method: "DELETE", url: `/api/environments/${id}?prune=${prune}`, params: { id }, cookie: admin }).then(asJson);
const deletion = (file: "environments/[id]/deletion" | "applications/[id]/deletion", id: string) =>
  callRoute({ file, method: "GET", url: `/api/${file.replace("[id]", id)}`, params: { id }, cookie: admin }).then(asJson);
const live = (p: string) =>
  kubeRequest(adminClient(), "GET", p).then(
    () => true,
    (e) => (e.failure === "not_found" ? false : Promise.reject(e)),
  );

/** A copy of the demo guestbook overlay in its own namespace, added through the API and synced. */
async function syncedGuestbook(label: string) {
  const ns = uniqueName(label).toLowerCase();
  await commitFile(setup.bare, {
    branch: "main",
    path: `envs/${ns}/kustomization.yaml`,
    content: `namespace: ${ns}\nresources:\n  - ../../apps/guestbook/overlays/dev\n`,
    message: `add ${ns}`,
  });
  await fetchRepository(fetchDeps(), setup.repo.id);
  const created = await addEnv(setup.app.id, {
    name: ns.slice(0, 40),
    repositoryId: setup.repo.id,
    clusterId: setup.cluster.id,
    path: `envs/${ns}`,
    namespace: ns,
  });
  expect(created.status).toBe(201);
  const id = created.body.environment.id as string;
  const { runId } = await requestSync(reconcileDeps(), id, { actorName: "test" });
  const run = await eventually(
    () => prisma().syncRun.findUniqueOrThrow({ where: { id: runId } }),
    (r) => !["queued", "running"].includes(r.status),
    90_000,
  );
  expect(run.status).toBe("succeeded");
  expect(await live(`/apis/apps/v1/namespaces/${ns}/deployments/guestbook`)).toBe(true);
  return { id, ns };
}

describe("adding and configuring environments", () => {
  it("preselects the remote's default branch: with no branch named, a repository whose HEAD is master gets master", async () => {
    const bare = path.join(git.root, `${uniqueName("legacy")}.git`);
    await runGit(["init", "--bare", "--initial-branch=master", bare]);
    await commitFile(bare, {
      branch: "master",
      path: "app/configmap.yaml",
      content: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: legacy\n",
      message: "first",
    });
    const repo = await addRepository(sealDeps(), { name: uniqueName("legacy"), url: `${git.open.url}/${path.basename(bare)}` }, null);
    await fetchRepository(fetchDeps(), repo.id);
    const listed = await callRoute({ file: "repositories", method: "GET", cookie: admin }).then(asJson);
    expect(listed.body.items.find((r: { id: string }) => r.id === repo.id).defaultBranch).toBe("master");
    const ns = uniqueName("legacy").toLowerCase();
    const res = await addEnv(setup.app.id, { name: ns.slice(0, 40), repositoryId: repo.id, clusterId: setup.cluster.id, path: "app", namespace: ns });
    expect(res.status).toBe(201);
    expect(res.body.environment.branch).toBe("master");
  });

  it("sets Helm values files through PATCH (saved and used by the render), never answering 200 while ignoring them", async () => {
    const ns = uniqueName("redis").toLowerCase();
    const created = await addEnv(setup.app.id, {
      name: ns.slice(0, 40),
      repositoryId: setup.repo.id,
      clusterId: setup.cluster.id,
      path: "charts/redis",
      namespace: ns,
      helmReleaseName: "cache",
    });
    expect(created.status).toBe(201);
    const id = created.body.environment.id as string;
    const replicas = async () => {
      const env = await prisma().environment.findUniqueOrThrow({ where: { id } });
      const { desired } = await assessEnvironment(reconcileDeps(), env);
      return (desired.objects.find((o) => o.manifest.kind === "Deployment")!.manifest as unknown as { spec: { replicas: number } }).spec.replicas;
    };
    expect(await replicas()).toBe(1);
    const res = await patchEnv(id, { helmValuesFiles: ["values-prod.yaml"], helmReleaseName: "cache-prod" });
    expect(res.status).toBe(200);
    expect(res.body.environment).toMatchObject({ helmValuesFiles: ["values-prod.yaml"], helmReleaseName: "cache-prod" });
    expect((await prisma().environment.findUniqueOrThrow({ where: { id } })).helmValuesFiles).toEqual(["values-prod.yaml"]);
    expect(await replicas()).toBe(2);
    const audit = await prisma().auditEvent.findFirstOrThrow({ where: { action: "environment.configure", targetId: id }, orderBy: { at: "desc" } });
    expect(JSON.stringify(audit.details)).toContain("values-prod.yaml");
  });

  it("answers 422 naming an unknown or read-only field, and changes nothing", async () => {
    const env = await setup.addEnv({
      name: uniqueName("strict").toLowerCase().slice(0, 40),
      path: "apps/guestbook/overlays/dev",
      namespace: uniqueName("strict").toLowerCase(),
    });
    const typo = await patchEnv(env.id, { helmValueFiles: ["values-prod.yaml"], prune: true });
    expect(typo.status).toBe(422);
    expect(typo.body.error.issues).toEqual([expect.objectContaining({ field: "helmValueFiles" })]);
    expect(typo.body.error.message).toContain("helmValueFiles");
    const move = await patchEnv(env.id, { namespace: "elsewhere" });
    expect(move.status).toBe(422);
    expect(move.body.error.message).toMatch(/namespace: is read-only/);
    const status = await patchEnv(env.id, { syncStatus: "Synced" });
    expect(status.status).toBe(422);
    expect(status.body.error.message).toContain("syncStatus");
    const after = await prisma().environment.findUniqueOrThrow({ where: { id: env.id } });
    expect({ prune: after.prune, namespace: after.namespace, syncStatus: after.syncStatus }).toEqual({
      prune: false,
      namespace: env.namespace,
      syncStatus: env.syncStatus,
    });
    // Source fields are settable: a new folder is checked like at creation and its renderer detected again.
    expect((await patchEnv(env.id, { path: "no/such/folder" })).body.error).toMatchObject({ field: "path" });
    const moved = await patchEnv(env.id, { path: "charts/redis", branch: "main" });
    expect(moved.status).toBe(200);
    expect(moved.body.environment).toMatchObject({ path: "charts/redis", renderer: "helm" });
  });

  it("refuses self-heal without auto-sync (it would do nothing) and turns it off with auto-sync", async () => {
    const ns = uniqueName("heal").toLowerCase();
    const refused = await addEnv(setup.app.id, {
      name: ns.slice(0, 40),
      repositoryId: setup.repo.id,
      clusterId: setup.cluster.id,
      path: "apps/guestbook/overlays/dev",
      namespace: ns,
      selfHeal: true,
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ field: "selfHeal" });
    expect(refused.body.error.message).toContain("needs auto-sync");
    const created = await addEnv(setup.app.id, {
      name: ns.slice(0, 40),
      repositoryId: setup.repo.id,
      clusterId: setup.cluster.id,
      path: "apps/guestbook/overlays/dev",
      namespace: ns,
      autoSync: true,
      selfHeal: true,
    });
    expect(created.status).toBe(201);
    const id = created.body.environment.id as string;
    const off = await patchEnv(id, { autoSync: false });
    expect(off.status).toBe(200);
    expect(off.body.environment).toMatchObject({ autoSync: false, selfHeal: false });
    const alone = await patchEnv(id, { selfHeal: true });
    expect(alone.status).toBe(422);
    expect((await prisma().environment.findUniqueOrThrow({ where: { id } })).selfHeal).toBe(false);
  });

  it("reports a Jsonnet folder as an error ('no Kubernetes manifests found'), not Synced/Healthy", async () => {
    const ns = uniqueName("jsonnet").toLowerCase();
    await commitFile(setup.bare, {
      branch: "main",
      path: `jsonnet/${ns}/main.jsonnet`,
      content: `local app = import 'app.libsonnet';\n{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }\n`,
      message: "jsonnet app",
    });
    await commitFile(setup.bare, { branch: "main", path: `jsonnet/${ns}/app.libsonnet`, content: "{}\n", message: "jsonnet lib" });
    await fetchRepository(fetchDeps(), setup.repo.id);
    const created = await addEnv(setup.app.id, {
      name: ns.slice(0, 40),
      repositoryId: setup.repo.id,
      clusterId: setup.cluster.id,
      path: `jsonnet/${ns}`,
      namespace: ns,
    });
    expect(created.status).toBe(201);
    await reconcileEnvironment(reconcileDeps(), created.body.environment.id);
    const env = await prisma().environment.findUniqueOrThrow({ where: { id: created.body.environment.id } });
    expect(env.renderError).toContain("no Kubernetes manifests found; Jsonnet is not supported");
    expect(env.renderError).toContain("main.jsonnet");
    expect(env.syncStatus).not.toBe("Synced");
    expect(env.health).not.toBe("Healthy");
  });
});

describe("deleting environments and applications", () => {
  it("deletes an environment and keeps its live objects (prune=false), audited", async () => {
    const { id, ns } = await syncedGuestbook("keep");
    const preview = await deletion("environments/[id]/deletion", id);
    expect(preview.body.liveObjects).toBe(3);
    const res = await deleteEnv(id, "false");
    expect(res.status).toBe(200);
    expect(await prisma().environment.findUnique({ where: { id } })).toBeNull();
    expect(await live(`/apis/apps/v1/namespaces/${ns}/deployments/guestbook`)).toBe(true);
    const audit = await prisma().auditEvent.findFirstOrThrow({ where: { action: "environment.delete", targetId: id } });
    expect(audit.details).toMatchObject({ liveObjects: "kept", namespace: ns });
  }, 180_000);

  it("prunes exactly the objects carrying the environment's label (prune=true), as a job, then deletes it", async () => {
    const { id, ns } = await syncedGuestbook("prune");
    // Someone else's objects in the same namespace: unlabelled, and labelled for another environment.
    await createConfigMap(adminClient(), ns, "not-tideline");
    await createConfigMap(adminClient(), ns, "other-env", { "app.tideline.dev/environment": "some-other-environment" });
    const preview = await deletion("environments/[id]/deletion", id);
    expect(preview.status).toBe(200);
    expect(preview.body.liveObjects).toBe(3);
    expect(preview.body.objects.map((o: { kind: string; name: string }) => `${o.kind}/${o.name}`).sort()).toEqual([
      "ConfigMap/guestbook-config",
      "Deployment/guestbook",
      "Service/guestbook",
    ]);
    expect((await deleteEnv(id, "maybe")).status).toBe(422);

    const res = await deleteEnv(id, "true");
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ pruning: true });
    const gone = await eventually(
      () => prisma().environment.findUnique({ where: { id } }),
      (e) => e === null,
      60_000,
    );
    expect(gone).toBeNull();
    expect(await live(`/apis/apps/v1/namespaces/${ns}/deployments/guestbook`)).toBe(false);
    expect(await live(`/api/v1/namespaces/${ns}/services/guestbook`)).toBe(false);
    expect(await live(`/api/v1/namespaces/${ns}/configmaps/guestbook-config`)).toBe(false);
    expect(await live(`/api/v1/namespaces/${ns}/configmaps/not-tideline`)).toBe(true);
    expect(await live(`/api/v1/namespaces/${ns}/configmaps/other-env`)).toBe(true);
    const audit = await prisma().auditEvent.findFirstOrThrow({ where: { action: "environment.delete", targetId: id } });
    expect(audit.details).toMatchObject({ liveObjects: "pruned" });
  }, 180_000);

  it("deletes an application with its environments, pruning their objects", async () => {
    const app = await callRoute({ file: "applications", method: "POST", cookie: admin, body: { name: uniqueName("doomed").toLowerCase() } }).then(asJson);
    expect(app.status).toBe(201);
    const appId = app.body.application.id as string;
    const ns = uniqueName("doomed").toLowerCase();
    await commitFile(setup.bare, {
      branch: "main",
      path: `envs/${ns}/kustomization.yaml`,
      content: `namespace: ${ns}\nresources:\n  - ../../apps/guestbook/overlays/dev\n`,
      message: `add ${ns}`,
    });
    await fetchRepository(fetchDeps(), setup.repo.id);
    const env = await addEnv(appId, { name: "dev", repositoryId: setup.repo.id, clusterId: setup.cluster.id, path: `envs/${ns}`, namespace: ns });
    const { runId } = await requestSync(reconcileDeps(), env.body.environment.id, { actorName: "test" });
    await eventually(
      () => prisma().syncRun.findUniqueOrThrow({ where: { id: runId } }),
      (r) => !["queued", "running"].includes(r.status),
      90_000,
    );
    const preview = await deletion("applications/[id]/deletion", appId);
    expect(preview.body.liveObjects).toBe(3);
    const res = await callRoute({
      file: "applications/[id]",
      method: "DELETE",
      url: `/api/applications/${appId}?prune=true`,
      params: { id: appId },
      cookie: admin,
    }).then(asJson);
    expect(res.status).toBe(202);
    expect(
      await eventually(
        () => prisma().application.findUnique({ where: { id: appId } }),
        (a) => a === null,
        60_000,
      ),
    ).toBeNull();
    expect(await live(`/apis/apps/v1/namespaces/${ns}/deployments/guestbook`)).toBe(false);
    expect(await prisma().auditEvent.count({ where: { action: "application.delete", targetId: appId } })).toBe(1);
  }, 180_000);
});

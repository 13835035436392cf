// Issue 14 for promotions, through the API routes against real Postgres, a real Git server and the
// test bed: a promotion whose copied folder renders objects the application's project does not allow
// (a ClusterRoleBinding, a denied namespaced kind) is refused at preview and at Promote naming the
// project and each object, and nothing is pushed or applied; one the project allowed when it was
// proposed but no longer allows when its approval lands ends failed naming the project and the
// object, and the cluster keeps what it ran.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession } from "../../lib/auth/sessions";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { createApplication, createEnvironment } from "../../lib/environments/manage-environments";
import { createProject, updateProject } from "../../lib/projects/manage-projects";
import { requestSync } from "../../lib/reconcile/manual-sync";
import { KubeError, kubeRequest } from "../../lib/kube/transport";
import { fetchDeps, reconcileDeps } from "../../server/root";
import { env } from "../../lib/env";
import { commitFile } from "../../support/demo-repo";
import { gitIn, startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { demoSetup } from "../helpers/environments";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { callRoute } from "../helpers/routes";
import { adminClient, eventually } from "../helpers/testbed";
import { startTestWorker, stopTestWorker } from "../helpers/worker";
import type { RoleName } from "../../lib/auth/roles";
import type { CreateEnvironmentInput } from "../../lib/environments/schemas";
import type { CreateProjectInput } from "../../lib/projects/schemas";

type Json = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
type Person = { id: string; username: string; cookie: string };
type Result = { kind: string; name: string; action: string; message: string };

let git: GitFixtures;
let setup: Awaited<ReturnType<typeof demoSetup>>;
let dev: Person;
let approver: Person;

async function person(role: RoleName): Promise<Person> {
  const user = await makeUser(role);
  return { id: user.id, username: user.username, cookie: (await createSession(prisma(), user.id, 1)).token };
}

beforeAll(async () => {
  await startTestWorker(); // landings, syncs and tracking run as jobs, as in the product
  git = await startGitFixtures();
  setup = await demoSetup(git);
  dev = await person("developer");
  approver = await person("approver");
}, 180_000);
afterAll(async () => {
  await stopTestWorker();
  await git.stop();
});

const asJson = async (res: Response): Promise<Json> => ({ status: res.status, body: await res.json() });
const preview = (who: Person, sourceEnvironmentId: string, targetEnvironmentId: string) =>
  callRoute({ file: "promotions/preview", method: "POST", cookie: who.cookie, body: { sourceEnvironmentId, targetEnvironmentId } }).then(asJson);
const promote = (who: Person, body: Record<string, unknown>) => callRoute({ file: "promotions", method: "POST", cookie: who.cookie, body }).then(asJson);
const decide = (who: Person, id: string, body: Record<string, unknown>) =>
  callRoute({ file: "promotions/[id]/decision", method: "POST", url: `/api/promotions/${id}/decision`, params: { id }, cookie: who.cookie, body }).then(asJson);

async function fetchNow() {
  for (let i = 0; i < 40; i += 1) {
    if ((await fetchRepository(fetchDeps(), setup.repo.id)).status === "fetched") return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("could not fetch the repository");
}

async function syncNow(envId: string) {
  const { runId } = await requestSync(reconcileDeps(), envId, { actorName: "test" });
  const run = await eventually(
    () => prisma().syncRun.findUniqueOrThrow({ where: { id: runId } }),
    (r) => !["queued", "running"].includes(r.status),
    60_000,
  );
  expect(run.status, run.error ?? "").toBe("succeeded");
}

/** The live object, or null when the API server answers 404. */
async function live<T = { data?: Record<string, string> }>(path: string): Promise<T | null> {
  try {
    return await kubeRequest<T>(adminClient(), "GET", path);
  } catch (e) {
    if (e instanceof KubeError && e.failure === "not_found") return null;
    throw e;
  }
}

const configMap = (version: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  version: "${version}"\n`;

/**
 * An application in a project of its own with dev -> prod (folder strategy): each stage's files in
 * its own folder; prod is synced (it runs version 1), dev is not (it may hold what the project refuses).
 */
async function pipeline(label: string, rules: Omit<CreateProjectInput, "name">, files: (ns: string) => Record<"dev" | "prod", Record<string, string>>) {
  const ns = uniqueName(label).toLowerCase();
  const folder = (stage: string) => `promo-projects/${ns}/${stage}`;
  for (const [stage, stageFiles] of Object.entries(files(ns)))
    for (const [file, content] of Object.entries(stageFiles))
      await commitFile(setup.bare, { branch: "main", path: `${folder(stage)}/${file}`, content, message: `${ns}: ${stage} ${file}` });
  await fetchNow();
  const project = await createProject(prisma(), { ...rules, name: `${label}-${ns}` });
  const app = await createApplication(prisma(), { name: uniqueName(label).toLowerCase(), projectId: project.id });
  const add = (stage: "dev" | "prod", extra: Partial<CreateEnvironmentInput> = {}) =>
    createEnvironment(prisma(), env().mirrorsDir, app.id, {
      name: stage,
      branch: "main",
      repositoryId: setup.repo.id,
      clusterId: setup.cluster.id,
      renderer: "plain",
      helmValuesFiles: [],
      path: folder(stage),
      namespace: `${ns}-${stage}`,
      promotionStrategy: "folder",
      ...extra,
    });
  return { ns, project, app, add, folder };
}

describe("a promotion into an environment whose project does not allow the promoted objects", () => {
  it("is refused at preview and at Promote naming the project and each object; nothing is pushed or applied", async () => {
    const p = await pipeline(
      "pjp",
      {
        sourceRepos: [{ repository: "*", path: "promo-projects/**" }],
        destinations: [{ cluster: "*", namespace: "pjp-*" }],
        namespaceResourceBlacklist: [{ group: "", kind: "ResourceQuota" }],
      },
      (ns) => ({
        prod: { "settings.yaml": configMap("1") },
        dev: {
          "settings.yaml": configMap("2"),
          "crb.yaml": `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: ${ns}-takeover\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n  - kind: ServiceAccount\n    name: default\n    namespace: ${ns}-prod\n`,
          "quota.yaml": `apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: unlimited\nspec:\n  hard:\n    pods: "1000"\n`,
        },
      }),
    );
    const devEnv = await p.add("dev");
    const prod = await p.add("prod");
    await syncNow(prod.id);
    const mainBefore = await gitIn(setup.bare, "rev-parse", "main");

    const pv = await preview(dev, devEnv.id, prod.id);
    expect(pv.status, JSON.stringify(pv.body)).toBe(200);
    // The copy itself is what a person would review: three files land in prod's folder.
    expect(pv.body.files.map((f: { path: string }) => f.path).sort()).toEqual(
      [`${p.folder("prod")}/crb.yaml`, `${p.folder("prod")}/quota.yaml`, `${p.folder("prod")}/settings.yaml`].sort(),
    );
    const errorOf = (kind: string) => pv.body.impact.objects.find((o: { kind: string }) => o.kind === kind)?.error ?? "";
    expect(errorOf("ClusterRoleBinding")).toContain(`ClusterRoleBinding is not allowed in project ${p.project.name}`);
    expect(errorOf("ResourceQuota")).toContain(`ResourceQuota is not allowed in project ${p.project.name} (denied namespaced kind)`);
    expect(errorOf("ConfigMap")).toBe("");
    const blockers = pv.body.blockers.join("\n");
    expect(blockers).toContain(`ClusterRoleBinding/${p.ns}-takeover: ClusterRoleBinding is not allowed in project ${p.project.name}`);
    expect(blockers).toContain(`ResourceQuota/unlimited: ResourceQuota is not allowed in project ${p.project.name}`);

    const res = await promote(dev, {
      sourceEnvironmentId: devEnv.id,
      targetEnvironmentId: prod.id,
      previewHash: pv.body.previewHash,
      acknowledgeWarnings: true, // dev was never synced: only the project's refusal may stop this
    });
    expect(res.status, JSON.stringify(res.body)).toBe(409);
    expect(res.body.error.message).toContain("Promotion blocked");
    expect(res.body.error.message).toContain(`ClusterRoleBinding/${p.ns}-takeover: ClusterRoleBinding is not allowed in project ${p.project.name}`);
    expect(res.body.error.message).toContain(`ResourceQuota/unlimited: ResourceQuota is not allowed in project ${p.project.name}`);
    expect(res.body.error.blockers).toEqual(pv.body.blockers);

    // Nothing started, nothing pushed, nothing applied: prod runs version 1 and has neither object.
    expect(await prisma().promotion.count({ where: { targetEnvironmentId: prod.id } })).toBe(0);
    expect(await gitIn(setup.bare, "rev-parse", "main")).toBe(mainBefore);
    expect(await prisma().syncRun.count({ where: { environmentId: prod.id } })).toBe(1);
    expect(await live(`/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${p.ns}-takeover`)).toBeNull();
    expect(await live(`/api/v1/namespaces/${p.ns}-prod/resourcequotas/unlimited`)).toBeNull();
    expect((await live(`/api/v1/namespaces/${p.ns}-prod/configmaps/settings`))!.data).toEqual({ version: "1" });
  }, 120_000);

  it("allowed when proposed, no longer allowed when its approval lands: ends failed naming the project and the object, and the cluster keeps what it ran", async () => {
    const p = await pipeline(
      "pjw",
      {
        sourceRepos: [{ repository: "*", path: "promo-projects/**" }],
        destinations: [{ cluster: "*", namespace: "pjw-*" }],
        clusterResourceWhitelist: [{ group: "rbac.authorization.k8s.io", kind: "ClusterRole" }],
      },
      (ns) => ({
        prod: { "settings.yaml": configMap("1") },
        dev: {
          "settings.yaml": configMap("2"),
          "role.yaml": `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: ${ns}-reader\nrules:\n  - apiGroups: [""]\n    resources: ["configmaps"]\n    verbs: ["get"]\n`,
        },
      }),
    );
    const devEnv = await p.add("dev");
    const prod = await p.add("prod", { requiredApprovals: 1 });
    await syncNow(prod.id);

    const pv = await preview(dev, devEnv.id, prod.id);
    expect(pv.status, JSON.stringify(pv.body)).toBe(200);
    expect(pv.body.blockers).toEqual([]);
    expect(pv.body.impact.objects.find((o: { kind: string }) => o.kind === "ClusterRole")).toMatchObject({ change: "added", error: null });
    const res = await promote(dev, {
      sourceEnvironmentId: devEnv.id,
      targetEnvironmentId: prod.id,
      previewHash: pv.body.previewHash,
      acknowledgeWarnings: true,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const promotion = res.body.promotion;
    expect(promotion.status).toBe("awaiting_approval");

    // While it waits, the platform team withdraws ClusterRoles from the project.
    await updateProject(prisma(), p.project.id, { clusterResourceWhitelist: [] });
    const approved = await decide(approver, promotion.id, { decision: "approved", comment: "ok" });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);

    const done = await eventually(
      () => prisma().promotion.findUniqueOrThrow({ where: { id: promotion.id } }),
      (x) => ["succeeded", "landed_degraded", "failed", "rejected", "cancelled"].includes(x.status),
      60_000,
    );
    expect(done.status, done.error ?? "").toBe("failed");
    expect(done.error).toContain(`ClusterRole is not allowed in project ${p.project.name}`);
    expect(done.error).toContain(`ClusterRole/${p.ns}-reader`);
    // The timeline says so too (its line is written just after the status).
    const events = await eventually(
      () => prisma().promotionEvent.findMany({ where: { promotionId: promotion.id } }),
      (ev) => ev.some((e) => e.action === "failed"),
      10_000,
    );
    expect(events.find((e) => e.action === "failed")?.detail).toContain(`ClusterRole/${p.ns}-reader: ClusterRole is not allowed in project ${p.project.name}`);
    // The sync that landed it refused the role by name and applied nothing.
    const run = await prisma().syncRun.findFirstOrThrow({ where: { promotionId: promotion.id } });
    expect(run.status).toBe("failed");
    const results = run.results as unknown as Result[];
    expect(results.find((r) => r.kind === "ClusterRole")).toMatchObject({ name: `${p.ns}-reader`, action: "failed" });
    expect(results.find((r) => r.kind === "ClusterRole")!.message).toContain(`not allowed in project ${p.project.name}`);
    expect(results.some((r) => r.action === "applied")).toBe(false);
    expect(await live(`/apis/rbac.authorization.k8s.io/v1/clusterroles/${p.ns}-reader`)).toBeNull();
    expect((await live(`/api/v1/namespaces/${p.ns}-prod/configmaps/settings`))!.data).toEqual({ version: "1" });
  }, 120_000);
});

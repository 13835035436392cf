// Promotions as a user follows them on the pipeline page, through the API routes against real
// Postgres, a real Git server and the test bed: a plain-YAML pipeline promoted with the "images"
// strategy (the arrow and Promote agree, and an image the sources cannot set is listed with why),
// and a promotion whose target ends Degraded ("landed, target Degraded" or failed, per the target's
// verification setting) that does not block the next promotion.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession } from "../../lib/auth/sessions";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { createApplication, createEnvironment } from "../../lib/environments/manage-environments";
import { requestSync } from "../../lib/reconcile/manual-sync";
import { kubeRequest } from "../../lib/kube/transport";
import { fetchDeps, jobs, reconcileDeps } from "../../server/root";
import { env } from "../../lib/env";
import { commitFile } from "../../support/demo-repo";
import { gitIn, startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { demoSetup } from "../helpers/environments";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { callRoute } from "../helpers/routes";
import { adminClient, eventually } from "../helpers/testbed";
import { startTestWorker, stopTestWorker } from "../helpers/worker";
import type { CreateEnvironmentInput } from "../../lib/environments/schemas";

type Json = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
const IMAGE = "ghcr.io/example/guestbook";
let git: GitFixtures;
let setup: Awaited<ReturnType<typeof demoSetup>>;
let dev: string;

beforeAll(async () => {
  await startTestWorker();
  git = await startGitFixtures();
  setup = await demoSetup(git);
  dev = (await createSession(prisma(), (await makeUser("developer")).id, 1)).token;
}, 180_000);
afterAll(async () => {
  await stopTestWorker();
  await git.stop();
});

const asJson = async (res: Response): Promise<Json> => ({ status: res.status, body: await res.json() });
const preview = (sourceEnvironmentId: string, targetEnvironmentId: string) =>
  callRoute({ file: "promotions/preview", method: "POST", cookie: dev, body: { sourceEnvironmentId, targetEnvironmentId } }).then(asJson);
const promote = (body: Record<string, unknown>) => callRoute({ file: "promotions", method: "POST", cookie: dev, body }).then(asJson);
const pipelineOf = (appId: string) =>
  callRoute({ file: "applications/[id]/pipeline", method: "GET", url: `/api/applications/${appId}/pipeline`, params: { id: appId }, cookie: dev }).then(asJson);

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
    90_000,
  );
  expect(run.status).toBe("succeeded");
  await eventually(
    async () => {
      await jobs().send("environment.work", { environmentId: envId, reason: "test: settle" });
      return prisma().environment.findUniqueOrThrow({ where: { id: envId } });
    },
    (e) => e.syncStatus === "Synced" && e.health === "Healthy",
    60_000,
  );
}

async function untilFinished(promotionId: string, timeoutMs = 60_000) {
  return eventually(
    () => prisma().promotion.findUniqueOrThrow({ where: { id: promotionId }, include: { events: true } }),
    (p) => ["succeeded", "landed_degraded", "failed", "rejected"].includes(p.status),
    timeoutMs,
  );
}

async function liveImages(namespace: string, name: string) {
  const d = await kubeRequest<{ spec: { template: { spec: { containers: Array<{ image: string }> } } } }>(
    adminClient(),
    "GET",
    `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`,
  );
  return d.spec.template.spec.containers.map((c) => c.image);
}

async function twoStages(
  label: string,
  files: (stage: "dev" | "prod", ns: string) => Record<string, string>,
  settings: Partial<Record<"dev" | "prod", Partial<CreateEnvironmentInput>>> = {},
  sync: Array<"dev" | "prod"> = ["dev", "prod"],
) {
  const ns = uniqueName(label).toLowerCase();
  for (const stage of ["dev", "prod"] as const) {
    for (const [p, content] of Object.entries(files(stage, `${ns}-${stage}`)))
      await commitFile(setup.bare, { branch: "main", path: `${label}/${ns}/${stage}/${p}`, content, message: `${ns}: ${stage} ${p}` });
  }
  await fetchNow();
  const app = await createApplication(prisma(), { name: uniqueName(label).toLowerCase() });
  const envs = {} as Record<"dev" | "prod", { id: string; name: string }>;
  for (const stage of ["dev", "prod"] as const) {
    envs[stage] = await createEnvironment(prisma(), env().mirrorsDir, app.id, {
      name: stage,
      branch: "main",
      repositoryId: setup.repo.id,
      clusterId: setup.cluster.id,
      renderer: "auto",
      helmValuesFiles: [],
      path: `${label}/${ns}/${stage}`,
      namespace: `${ns}-${stage}`,
      ...settings[stage],
    });
  }
  for (const s of sync) await syncNow(envs[s].id);
  return { ns, app, envs, file: (stage: string, p: string) => `${label}/${ns}/${stage}/${p}` };
}

const deployment = (name: string, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      containers:
        - name: ${name}
          image: ${image}
`;
// The same kind of object as JSON: rendered (so its image runs and differs) but not a place the images strategy writes.
const jsonDeployment = (name: string, image: string) =>
  JSON.stringify(
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image }] } },
      },
    },
    null,
    2,
  );

describe("the images strategy in a plain-YAML pipeline", () => {
  let p: Awaited<ReturnType<typeof twoStages>>;
  beforeAll(async () => {
    p = await twoStages("plain", (stage) => ({
      "deployment.yaml": deployment("guestbook", `${IMAGE}:${stage === "dev" ? "6" : "5"}`),
      "metrics.json": jsonDeployment("metrics", `ghcr.io/example/metrics:${stage === "dev" ? "2" : "1"}`),
    }));
  }, 240_000);

  it("shows on the arrow exactly what Promote writes, and the image it cannot write with the reason", async () => {
    const pipeline = await pipelineOf(p.app.id);
    expect(pipeline.status).toBe(200);
    const arrow = pipeline.body.arrows.find((a: { targetId: string }) => a.targetId === p.envs.prod.id);
    expect(arrow.images).toEqual([{ name: IMAGE, from: "5", to: "6" }]);
    expect(arrow.notPromotable).toEqual([
      expect.objectContaining({ name: "ghcr.io/example/metrics", from: "1", to: "2", reason: expect.stringContaining("image: field") }),
    ]);
    expect(arrow.inSync).toBe(false);

    const pv = await preview(p.envs.dev.id, p.envs.prod.id);
    expect(pv.status).toBe(200);
    expect(pv.body.images).toEqual(arrow.images);
    expect(pv.body.notPromotable).toEqual(arrow.notPromotable);
    expect(pv.body.warnings).toEqual([expect.stringMatching(/^ghcr\.io\/example\/metrics 1 -> 2 is not promoted: /)]);
    expect(pv.body.files.map((f: { path: string; change: string }) => `${f.change} ${f.path}`)).toEqual([`modified ${p.file("prod", "deployment.yaml")}`]);
    expect(pv.body.files[0].after).toContain(`image: ${IMAGE}:6`);
  });

  it("writes the plain image: field on the server and prod runs the new image", async () => {
    const pv = await preview(p.envs.dev.id, p.envs.prod.id);
    const res = await promote({
      sourceEnvironmentId: p.envs.dev.id,
      targetEnvironmentId: p.envs.prod.id,
      previewHash: pv.body.previewHash,
      acknowledgeWarnings: true,
    });
    expect(res.status).toBe(201);
    expect(await gitIn(setup.bare, "show", `main:${p.file("prod", "deployment.yaml")}`)).toContain(`image: ${IMAGE}:6`);
    expect(await gitIn(setup.bare, "show", `main:${p.file("prod", "metrics.json")}`)).toContain("ghcr.io/example/metrics:1");
    const done = await untilFinished(res.body.promotion.id, 90_000);
    expect(done.status).toBe("succeeded");
    expect(await liveImages(`${p.ns}-prod`, "guestbook")).toEqual([`${IMAGE}:6`]);
    // What is left on the arrow is only what Promote cannot write.
    const arrow = (await pipelineOf(p.app.id)).body.arrows[0];
    expect(arrow.images).toEqual([]);
    expect(arrow.notPromotable.map((m: { name: string }) => m.name)).toEqual(["ghcr.io/example/metrics"]);
  }, 120_000);
});

describe("a promotion whose target ends Degraded", () => {
  const kustomization = (ns: string, tag: string) => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${ns}
resources:
  - ../../../apps/guestbook/base
images:
  - name: ${IMAGE}
    newTag: ${tag}
`;
  // dev runs an image the test bed crash-loops; prod is healthy on 1.4.2 until the promotion lands.
  const stages = (verification: "landed" | "healthy") =>
    twoStages(
      "degr",
      (stage, ns) => ({ "kustomization.yaml": kustomization(ns, stage === "dev" ? "fail-crash" : "1.4.2") }),
      { prod: { promotionVerification: verification } },
      ["prod"],
    );

  it("ends 'landed, target Degraded' (or failed when the target requires health), says why, and the next promotion may start", async () => {
    const landed = await stages("landed");
    const strict = await stages("healthy");
    const started = await Promise.all(
      [landed, strict].map(async (p) => {
        const pv = await preview(p.envs.dev.id, p.envs.prod.id);
        expect(pv.status).toBe(200);
        const res = await promote({
          sourceEnvironmentId: p.envs.dev.id,
          targetEnvironmentId: p.envs.prod.id,
          previewHash: pv.body.previewHash,
          acknowledgeWarnings: true,
        });
        expect(res.status).toBe(201);
        return res.body.promotion.id as string;
      }),
    );
    // The sync waits up to its health timeout (2 minutes) before it ends "degraded".
    const [a, b] = await Promise.all([untilFinished(started[0]!, 240_000), untilFinished(started[1]!, 240_000)]);
    expect(a.status).toBe("landed_degraded");
    expect(a.error).toMatch(/runs [0-9a-f]{7} but is not healthy/);
    // A rolling update onto a crash-looping image keeps the old replica: Progressing, never Healthy.
    expect(a.error).toMatch(/Deployment\/guestbook (Progressing|Degraded)/);
    const events = await eventually(
      () => prisma().promotionEvent.findMany({ where: { promotionId: a.id } }),
      (ev) => ev.some((e) => e.action === "landed_degraded"),
      10_000,
    );
    expect(events.find((e) => e.action === "landed_degraded")?.detail).toContain("landed, target Degraded");
    expect(b.status).toBe("failed");
    expect(b.error).toMatch(/Deployment\/guestbook (Progressing|Degraded)/);
    expect(await liveImages(`${landed.ns}-prod`, "guestbook")).toEqual([`${IMAGE}:fail-crash`]);

    // Nothing is under way into prod any more: the pipeline offers Promote again and the next promotion starts.
    const stage = (await pipelineOf(landed.app.id)).body.stages.find((s: { id: string }) => s.id === landed.envs.prod.id);
    expect(stage.activePromotion).toBeNull();
    const fixed = await commitFile(setup.bare, {
      branch: "main",
      path: landed.file("dev", "kustomization.yaml"),
      content: kustomization(`${landed.ns}-dev`, "1.6.0"),
      message: "dev: fixed image",
    });
    await fetchNow();
    // dev (never synced) is promoted from what Git says it should run once it has seen the commit.
    await eventually(
      async () => {
        await jobs().send("environment.work", { environmentId: landed.envs.dev.id, reason: "test: see the fix" });
        return prisma().environment.findUniqueOrThrow({ where: { id: landed.envs.dev.id } });
      },
      (e) => e.desiredRevision === fixed,
      30_000,
    );
    const pv = await preview(landed.envs.dev.id, landed.envs.prod.id);
    expect(pv.status, JSON.stringify(pv.body)).toBe(200);
    expect(pv.body.images).toEqual([{ name: IMAGE, from: "fail-crash", to: "1.6.0" }]);
    const next = await promote({
      sourceEnvironmentId: landed.envs.dev.id,
      targetEnvironmentId: landed.envs.prod.id,
      previewHash: pv.body.previewHash,
      acknowledgeWarnings: true,
    });
    expect(next.status).toBe(201);
    expect((await untilFinished(next.body.promotion.id, 120_000)).status).toBe("succeeded");
  }, 600_000);
});

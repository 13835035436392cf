// Secret values never leave the server: not in drift reports, object diffs, the live-object
// API or sync records, yet a changed value still shows as drift.
import { afterAll, beforeAll, expect, it } from "vitest";
import { reconcileEnvironment } from "../../lib/reconcile/reconcile-environment";
import { objectDiff } from "../../lib/environments/environment-detail";
import { listLiveObjects } from "../../lib/clusters/live-objects";
import { previewSync, requestSync } from "../../lib/reconcile/manual-sync";
import { startTestWorker, stopTestWorker } from "../helpers/worker";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { clusterDeps, fetchDeps, reconcileDeps } from "../../server/root";
import { kubeRequest } from "../../lib/kube/transport";
import { commitFile } from "../../support/demo-repo";
import { startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { demoSetup } from "../helpers/environments";
import { prisma, uniqueName } from "../helpers/db";
import { adminClient, eventually } from "../helpers/testbed";

const PLAIN = "hunter2-super-secret";
const B64 = Buffer.from(PLAIN).toString("base64");
let git: GitFixtures;
beforeAll(async () => {
  git = await startGitFixtures();
});
afterAll(() => git.stop());

it("masks Secret values everywhere while still detecting a changed value", async () => {
  const setup = await demoSetup(git);
  const ns = uniqueName("sec").toLowerCase();
  await commitFile(setup.bare, {
    branch: "main",
    path: `sec/${ns}/secret.yaml`,
    content: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: ${PLAIN}\n`,
    message: "secret",
  });
  await fetchRepository(fetchDeps(), setup.repo.id);
  const env = await setup.addEnv({ name: ns, path: `sec/${ns}`, namespace: ns });
  await reconcileEnvironment(reconcileDeps(), env.id);
  await startTestWorker();
  const { runId } = await requestSync(reconcileDeps(), env.id, { actorName: "tester" });
  await eventually(
    async () => (await prisma().syncRun.findUniqueOrThrow({ where: { id: runId } })).status,
    (s) => s !== "running" && s !== "queued",
    30_000,
  );
  await stopTestWorker();

  // Someone changes the password in the cluster.
  await kubeRequest(adminClient(), "PATCH", `/api/v1/namespaces/${ns}/secrets/db`, {
    contentType: "application/merge-patch+json",
    body: { data: { password: Buffer.from("changed-by-hand").toString("base64") } },
  });
  const state = await eventually(
    async () => (
      await reconcileEnvironment(reconcileDeps(), env.id), prisma().resourceState.findFirstOrThrow({ where: { environmentId: env.id, kind: "Secret" } })
    ),
    (r) => r.syncStatus === "OutOfSync",
  );
  expect(state.syncStatus).toBe("OutOfSync");

  const everything = JSON.stringify([
    state,
    await objectDiff(reconcileDeps(), env.id, { apiVersion: "v1", kind: "Secret", namespace: ns, name: "db" }),
    await listLiveObjects(clusterDeps(), setup.cluster.id, { apiVersion: "v1", kind: "Secret", namespace: ns }),
    await previewSync(reconcileDeps(), env.id),
    await prisma().syncRun.findMany({ where: { environmentId: env.id } }),
  ]);
  for (const leaked of [PLAIN, B64, "changed-by-hand", Buffer.from("changed-by-hand").toString("base64")]) expect(everything).not.toContain(leaked);
  expect(everything).toContain("••••••••");
});

// A process that takes over a cluster's watch with an empty cache lists every object again. Only
// the environments whose objects changed while nobody watched are queued for a reconcile; the
// others were assessed at exactly the versions it sees (otherwise a fresh owner queues the fleet).
import { afterAll, beforeAll, expect, it } from "vitest";
import { ownClusterWatch } from "../../lib/clusters/cluster-jobs";
import { ClusterCache } from "../../lib/kube/cluster-cache";
import { kubeRequest } from "../../lib/kube/transport";
import { requestSync } from "../../lib/reconcile/manual-sync";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import type { JobName, JobQueue } from "../../lib/jobs/types";
import { fetchDeps, reconcileDeps } from "../../server/root";
import { commitFile } from "../../support/demo-repo";
import { demoSetup } from "../helpers/environments";
import { startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { prisma, uniqueName } from "../helpers/db";
import { adminClient, eventually } from "../helpers/testbed";
import { startTestWorker, stopTestWorker, waitForJobsIdle } from "../helpers/worker";

let git: GitFixtures;
let setup: Awaited<ReturnType<typeof demoSetup>>;
beforeAll(async () => {
  await startTestWorker();
  git = await startGitFixtures();
  setup = await demoSetup(git);
}, 180_000);
afterAll(async () => {
  await stopTestWorker();
  await git.stop();
});

async function syncedEnvironment(tag: string) {
  const folder = `watch/${tag}`;
  await commitFile(setup.bare, {
    branch: "main",
    path: `${folder}/settings.yaml`,
    content: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  version: "1"\n`,
    message: `add ${tag}`,
  });
  await fetchRepository(fetchDeps(), setup.repo.id);
  const e = await setup.addEnv({ name: tag, path: folder, namespace: tag, autoSync: false });
  const { runId } = await requestSync(reconcileDeps(), e.id, { actorName: "test" });
  const run = await eventually(
    () => prisma().syncRun.findUniqueOrThrow({ where: { id: runId } }),
    (r) => !["queued", "running"].includes(r.status),
    60_000,
  );
  expect(run.status, run.error ?? "").toBe("succeeded");
  return e;
}

it("a fresh owner queues only the environment whose object changed while nobody watched", { timeout: 180_000 }, async () => {
  const tag = uniqueName("wo").toLowerCase();
  const quiet = await syncedEnvironment(`${tag}-quiet`);
  const edited = await syncedEnvironment(`${tag}-edited`);
  await waitForJobsIdle("environment.work");
  const stored = await prisma().resourceState.findFirstOrThrow({ where: { environmentId: quiet.id, kind: "ConfigMap", name: "settings" } });
  expect(stored.liveVersion).not.toBeNull();

  // While no process watches: a hand edit in one environment.
  await kubeRequest(adminClient(), "PATCH", `/api/v1/namespaces/${edited.namespace}/configmaps/settings`, {
    contentType: "application/merge-patch+json",
    body: { data: { version: "edited by hand" } },
  });

  const queued: Array<{ name: JobName; environmentId?: string }> = [];
  const recording: JobQueue = {
    send: async (name, payload) => {
      queued.push({ name, environmentId: (payload as { environmentId?: string }).environmentId });
      return "recorded";
    },
    publish: async () => {},
  };
  const cache = new ClusterCache(adminClient()); // a new process: nothing listed yet
  const stop = new AbortController();
  const owning = ownClusterWatch(
    { prisma: prisma(), jobs: recording, cacheFor: async () => cache, workerName: "fresh-owner" },
    setup.cluster.id,
    { jobId: "test", attempt: 1, signal: stop.signal },
    120_000,
  );
  try {
    const ours = () => queued.filter((q) => q.name === "environment.work" && [quiet.id, edited.id].includes(q.environmentId!));
    await eventually(ours, (q) => q.length > 0, 30_000);
    await new Promise((r) => setTimeout(r, 2_000)); // the whole first LIST has been seen
    expect(ours().map((q) => q.environmentId)).toEqual([edited.id]);

    // A change after the take-over is still noticed in the quiet one.
    await kubeRequest(adminClient(), "PATCH", `/api/v1/namespaces/${quiet.namespace}/configmaps/settings`, {
      contentType: "application/merge-patch+json",
      body: { data: { version: "edited later" } },
    });
    await eventually(ours, (q) => q.some((x) => x.environmentId === quiet.id), 10_000);
  } finally {
    stop.abort();
    await owning;
    cache.stop();
  }
});

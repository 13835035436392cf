// A branch moved: every environment on it reconciles, and those whose sources the move touched are
// queued first. Real Git server, real mirror, real Postgres; the queue records what was sent.
import { afterAll, beforeAll, expect, it } from "vitest";
import { commitFile } from "../../support/demo-repo";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { onBranchMoved, TOUCHED_PRIORITY } from "../../lib/reconcile/on-branch-moved";
import { fetchDeps, reconcileDeps } from "../../server/root";
import type { JobName, JobQueue, SendOptions } from "../../lib/jobs/types";
import { startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { demoSetup } from "../helpers/environments";
import { prisma } from "../helpers/db";

let git: GitFixtures;
beforeAll(async () => {
  git = await startGitFixtures();
});
afterAll(() => git.stop());

function recordingQueue() {
  const sent: Array<{ id: string; priority: number }> = [];
  const queue: JobQueue = {
    async send(name: JobName, payload: unknown, opts?: SendOptions) {
      if (name === "environment.work") sent.push({ id: (payload as { environmentId: string }).environmentId, priority: opts?.priority ?? 0 });
      return "job";
    },
    async publish() {},
  };
  return { sent, queue };
}

it("queues the environments whose files changed first; a shared base touches kustomize environments, not plain folders", async () => {
  const s = await demoSetup(git);
  const cm = (n: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${n}\ndata:\n  v: "1"\n`;
  await commitFile(s.bare, { branch: "main", path: "plain/a/cm.yaml", content: cm("a"), message: "a" });
  await commitFile(s.bare, { branch: "main", path: "plain/b/cm.yaml", content: cm("b"), message: "b" });
  await fetchRepository(fetchDeps(), s.repo.id);
  const a = await s.addEnv({ name: "a", path: "plain/a", namespace: "bm-a", renderer: "plain" });
  const b = await s.addEnv({ name: "b", path: "plain/b", namespace: "bm-b", renderer: "plain" });
  const k = await s.addEnv({ name: "dev", path: "apps/guestbook/overlays/dev", namespace: "bm-dev" });
  const rendered = async () => {
    const head = (await prisma().branch.findFirstOrThrow({ where: { repositoryId: s.repo.id, name: "main" } })).headSha;
    await prisma().environment.updateMany({ where: { id: { in: [a.id, b.id, k.id] } }, data: { desiredRevision: head } });
  };
  const move = async (file: string, content: string) => {
    await rendered();
    await commitFile(s.bare, { branch: "main", path: file, content, message: `change ${file}` });
    await fetchRepository(fetchDeps(), s.repo.id);
    const { sent, queue } = recordingQueue();
    const { mirrorsDir, ensureRevision } = reconcileDeps();
    await onBranchMoved({ prisma: prisma(), jobs: queue, mirrorsDir, ensureRevision }, { repositoryId: s.repo.id, branches: ["main"] });
    return sent;
  };
  const priorities = (sent: Array<{ id: string; priority: number }>) =>
    Object.fromEntries(sent.map((x) => [x.id === a.id ? "a" : x.id === b.id ? "b" : "dev", x.priority]));

  const one = await move("plain/a/cm.yaml", cm("a").replace('"1"', '"2"'));
  expect(priorities(one)).toEqual({ a: TOUCHED_PRIORITY, b: 0, dev: 0 });
  expect(one[0]!.id).toBe(a.id);

  const shared = await move("apps/guestbook/base/extra.yaml", cm("extra"));
  expect(priorities(shared)).toEqual({ a: 0, b: 0, dev: TOUCHED_PRIORITY });

  // Never rendered (no revision to compare with): treated as touched.
  await prisma().environment.update({ where: { id: b.id }, data: { desiredRevision: null } });
  const { sent, queue } = recordingQueue();
  await onBranchMoved({ prisma: prisma(), jobs: queue, mirrorsDir: reconcileDeps().mirrorsDir }, { repositoryId: s.repo.id, branches: ["main"] });
  expect(priorities(sent).b).toBe(TOUCHED_PRIORITY);
}, 120_000);

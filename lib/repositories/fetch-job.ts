// The "repository.fetch" job: fetch and index one repository, then announce which branches moved
// (the environments following them reconcile: see lib/reconcile/on-branch-moved.ts).
import type { JobQueue } from "../jobs/types";
import { fetchRepository, type FetchDeps } from "./fetch-repository";

export async function runFetchJob(deps: FetchDeps & { jobs: JobQueue }, repositoryId: string) {
  const repo = await deps.prisma.repository.findUnique({ where: { id: repositoryId }, select: { id: true } });
  if (!repo) return null; // removed meanwhile
  const outcome = await fetchRepository(deps, repositoryId);
  await deps.jobs.publish("repository.fetched", { repositoryId, branchesUpdated: outcome.index.branchesUpdated });
  if (outcome.index.moved?.length) await deps.jobs.publish("branch.moved", { repositoryId, branches: outcome.index.moved });
  return outcome;
}

/** The periodic sweep: every repository not fetched within the interval is fetched. */
export async function enqueueDueFetches(deps: Pick<FetchDeps, "prisma"> & { jobs: JobQueue }, intervalSeconds: number) {
  if (intervalSeconds <= 0) return 0;
  const due = await deps.prisma.repository.findMany({
    where: { OR: [{ lastFetchedAt: null }, { lastFetchedAt: { lt: new Date(Date.now() - intervalSeconds * 1000 + 5_000) } }] },
    select: { id: true },
  });
  for (const r of due) await deps.jobs.send("repository.fetch", { repositoryId: r.id, reason: "interval" });
  return due.length;
}

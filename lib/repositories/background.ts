// Runs fetches outside the request that asked for them; the lease in fetch-repository
// keeps concurrent triggers (button, timer, other replicas) from overlapping.
import { fetchRepository } from "./fetch-repository";
import { fetchDeps } from "../services";
import { db } from "../db";
import { env } from "../env";

/** Environments on a repository whose branches moved are reconciled right away. */
export async function fetchAndReconcile(repositoryId: string) {
  const outcome = await fetchRepository(fetchDeps(), repositoryId);
  if (outcome.status === "fetched" && outcome.index.branchesUpdated > 0) {
    const { reconciler } = await import("../reconcile/process-reconciler");
    await reconciler().onBranchMoved(db(), repositoryId);
  }
  return outcome;
}

export function startFetchInBackground(repositoryId: string): void {
  fetchAndReconcile(repositoryId).catch((error: Error) => {
    console.warn(`[tideline] fetch of repository ${repositoryId} failed: ${error.message}`);
  });
}

let timer: NodeJS.Timeout | undefined;

/** Periodically fetches every repository (TIDELINE_FETCH_INTERVAL_SECONDS; 0 disables). */
export function startPeriodicFetch(): void {
  const seconds = env().TIDELINE_FETCH_INTERVAL_SECONDS;
  if (timer || seconds === 0) return;
  const tick = async () => {
    const repos = await db().repository.findMany({ select: { id: true } }).catch(() => []);
    for (const repo of repos) {
      await fetchAndReconcile(repo.id).catch((error: Error) => {
        console.warn(`[tideline] periodic fetch of ${repo.id} failed: ${error.message}`);
      });
    }
  };
  timer = setInterval(() => void tick(), seconds * 1000);
  timer.unref();
}

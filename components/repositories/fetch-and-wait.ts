// "Fetch now" queues a fetch job and answers at once; the browser follows the repository until
// that fetch has finished (its lastFetchedAt moves, or it reports an error).
import { api } from "../api";

interface RepositoryState {
  repository: { lastFetchedAt: string | null; status: string; lastError: string | null };
}

export async function fetchAndWait(repositoryId: string, timeoutMs = 60_000): Promise<RepositoryState["repository"]> {
  const before = (await api<RepositoryState>(`/api/repositories/${repositoryId}`)).repository;
  await api(`/api/repositories/${repositoryId}/fetch`, { method: "POST" });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await new Promise((r) => setTimeout(r, 400));
    const now = (await api<RepositoryState>(`/api/repositories/${repositoryId}`)).repository;
    const finished = now.lastFetchedAt !== before.lastFetchedAt || (now.status === "error" && now.lastError !== before.lastError);
    if (finished || Date.now() > deadline) return now;
  }
}

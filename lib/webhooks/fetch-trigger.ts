// Starts "fetch, then reconcile moved environments" for a repository a webhook named, without
// blocking the delivery's answer; pushes arriving while a fetch runs are picked up by one more fetch.
import type { FetchOutcome } from "../repositories/fetch-repository";

/** While another fetch holds the repository's lease, retry this often, for at most this long. */
const RETRY_MS = 500;
const MAX_WAIT_MS = 120_000;

type Fetcher = (repositoryId: string) => Promise<FetchOutcome>;
type State = { running: Set<string>; again: Set<string> };

const globalState = globalThis as unknown as { tidelineWebhookFetches?: State };
const state = (): State => (globalState.tidelineWebhookFetches ??= { running: new Set(), again: new Set() });

async function defaultFetcher(repositoryId: string): Promise<FetchOutcome> {
  const { fetchAndReconcile } = await import("../repositories/background");
  return fetchAndReconcile(repositoryId);
}

/**
 * Fetches the repository soon. A fetch already running elsewhere (timer, button, other replica)
 * may have started before the push, so a "skipped" fetch is retried until this one runs itself.
 */
export function fetchSoon(repositoryId: string, fetcher: Fetcher = defaultFetcher): void {
  const s = state();
  if (s.running.has(repositoryId)) {
    s.again.add(repositoryId);
    return;
  }
  s.running.add(repositoryId);
  void (async () => {
    try {
      do {
        const deadline = Date.now() + MAX_WAIT_MS;
        for (;;) {
          const outcome = await fetcher(repositoryId);
          if (outcome.status === "fetched") break;
          if (Date.now() > deadline) {
            console.warn(`[tideline] webhook fetch of repository ${repositoryId} gave up: ${outcome.reason}`);
            break;
          }
          await new Promise((r) => setTimeout(r, RETRY_MS));
        }
      } while (s.again.delete(repositoryId));
    } catch (error) {
      console.warn(`[tideline] webhook fetch of repository ${repositoryId} failed: ${(error as Error).message}`);
    } finally {
      s.running.delete(repositoryId);
      s.again.delete(repositoryId);
    }
  })();
}

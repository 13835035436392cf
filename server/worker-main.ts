// The worker entry: `npm run start -- --role worker` (or `tsx server/worker-main.ts`). Runs jobs
// only, no pages; several of these share one Postgres and split the work between them.
import { startWorker, stopWorker } from "./worker";
import { log, metricsDeps } from "./root";
import { env } from "../lib/env";
import { serveMetrics } from "../lib/metrics/serve-port";

// Postgres may not be reachable yet (starting together, or restarting): wait for it rather than exit.
for (let attempt = 1; ; attempt++) {
  try {
    await startWorker();
    break;
  } catch (e) {
    const delay = Math.min(30, 2 ** attempt);
    log.warn({ err: e, retryInSeconds: delay }, "worker could not start; trying again");
    await new Promise((r) => setTimeout(r, delay * 1000));
  }
}
log.info({ worker: process.env.TIDELINE_WORKER_NAME ?? String(process.pid) }, "worker is working on jobs");
// A failed listen (port taken) leaves the worker working, without its metrics: said once, not fatal.
if (env().TIDELINE_METRICS_PORT > 0) {
  await serveMetrics(() => metricsDeps({ fleet: false }), env().TIDELINE_METRICS_PORT).then(
    () => log.info({ port: env().TIDELINE_METRICS_PORT }, "worker metrics served on /metrics"),
    (e: Error) => log.warn({ err: e, port: env().TIDELINE_METRICS_PORT }, "worker metrics port not served"),
  );
}
let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    // A graceful stop lets running jobs finish (up to 10 s); anything left is resumed elsewhere.
    void stopWorker().finally(() => process.exit(0));
  });
}

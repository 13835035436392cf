// This process's metrics: one prom-client Registry (never prom-client's default one, so test
// files and benches can build their own with createMetrics) and the text Prometheus scrapes.
import { createMetrics, type Metrics } from "./definitions";

// On globalThis because Next bundles instrumentation.ts (where the "all" role starts the worker)
// and the route handlers separately: a module-level registry would exist twice in one process,
// and /metrics would not see the worker's counters.
const g = globalThis as unknown as { tidelineMetrics?: Metrics };

/** The process's metrics, created (with process metrics) on first use. */
export function metrics(): Metrics {
  return (g.tidelineMetrics ??= createMetrics());
}

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Seconds since `startedMs` (performance.now()), for histograms. */
export const secondsSince = (startedMs: number) => (performance.now() - startedMs) / 1000;

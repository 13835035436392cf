// Every Prometheus metric Tideline exports, in one place, so label cardinality is decided here:
// per environment (its id) at most, per cluster (its name), per queue or route pattern — never a
// commit id, an object name or a raw URL. Names follow Prometheus conventions (_total, _seconds).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** Reconciles are mostly cache hits (ms); syncs wait for health (seconds to minutes). */
const RECONCILE_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const SYNC_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const FETCH_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
// Eight buckets: the HTTP histogram is the widest (route x method x code), so each bucket costs ~300 series.
const HTTP_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

export function createMetrics(registry = new Registry(), opts: { processMetrics?: boolean } = {}) {
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,

    reconcileDuration: new Histogram({
      name: "tideline_reconcile_duration_seconds",
      help: "Time of one reconcile (render, drift against the live cache, store verdicts; including an auto-sync it starts, which is also counted under sync)",
      labelNames: ["result"] as const,
      buckets: RECONCILE_BUCKETS,
      registers,
    }),
    reconcileTotal: new Counter({
      name: "tideline_reconcile_total",
      help: "Reconciles per environment by result (Synced, OutOfSync, Unknown, error)",
      labelNames: ["environment_id", "result"] as const,
      registers,
    }),
    syncDuration: new Histogram({
      name: "tideline_sync_duration_seconds",
      help: "Time of one sync (apply, prune, wait for health) by trigger and final status",
      labelNames: ["trigger", "status"] as const,
      buckets: SYNC_BUCKETS,
      registers,
    }),
    syncTotal: new Counter({
      name: "tideline_sync_total",
      help: "Syncs per environment by trigger and final status (succeeded, partial, degraded, failed)",
      labelNames: ["environment_id", "trigger", "status"] as const,
      registers,
    }),
    driftObjects: new Gauge({
      name: "tideline_environment_drift_objects",
      help: "Objects of an environment that differ from Git after its last reconcile or sync, by object status (OutOfSync, Missing, Extraneous, Error)",
      labelNames: ["environment_id", "status"] as const,
      registers,
    }),

    // Filled at scrape time from the database (see fleet.ts): the same from every process that reports them.
    environments: new Gauge({
      name: "tideline_environments",
      help: "Environments by sync status and health",
      labelNames: ["sync_status", "health"] as const,
      registers,
    }),
    environmentInfo: new Gauge({
      name: "tideline_environment_info",
      help: "One series per environment naming it (join on environment_id)",
      labelNames: ["environment_id", "application", "environment", "cluster"] as const,
      registers,
    }),
    jobQueueDepth: new Gauge({
      name: "tideline_job_queue_depth",
      help: "Jobs per queue by state (queued: runnable now, deferred: waiting for a retry delay or start time, active: running)",
      labelNames: ["queue", "state"] as const,
      registers,
    }),
    jobQueueOldest: new Gauge({
      name: "tideline_job_queue_oldest_waiting_seconds",
      help: "How long the oldest runnable job of a queue has waited (0 when none waits)",
      labelNames: ["queue"] as const,
      registers,
    }),

    kubeRequests: new Counter({
      name: "tideline_kube_requests_total",
      help: "Kubernetes API requests by cluster, verb and HTTP code (or network failure kind)",
      labelNames: ["cluster", "verb", "code"] as const,
      registers,
    }),
    kubeRequestDuration: new Histogram({
      name: "tideline_kube_request_duration_seconds",
      help: "Kubernetes API request time by verb (watches are not timed)",
      labelNames: ["verb"] as const,
      buckets: HTTP_BUCKETS,
      registers,
    }),
    watchCacheObjects: new Gauge({
      name: "tideline_watch_cache_objects",
      help: "Objects held by this process's watch caches per cluster",
      labelNames: ["cluster"] as const,
      registers,
    }),
    watchRestarts: new Counter({
      name: "tideline_watch_restarts_total",
      help: "Watch restarts per cluster: expired (410 Gone, re-list) or error (reconnect with backoff)",
      labelNames: ["cluster", "reason"] as const,
      registers,
    }),

    gitFetchDuration: new Histogram({
      name: "tideline_git_fetch_duration_seconds",
      help: "Time of one repository fetch and index, by outcome",
      labelNames: ["outcome"] as const,
      buckets: FETCH_BUCKETS,
      registers,
    }),
    gitFetchFailures: new Counter({
      name: "tideline_git_fetch_failures_total",
      help: "Failed repository fetches by reason (unauthenticated, forbidden, unreachable, not_found, invalid, internal)",
      labelNames: ["reason"] as const,
      registers,
    }),
    webhookDeliveries: new Counter({
      name: "tideline_webhook_deliveries_total",
      help: "Webhook deliveries received by source and outcome (accepted, ignored, rejected)",
      labelNames: ["source", "outcome"] as const,
      registers,
    }),
    imagePolicyChecks: new Counter({
      name: "tideline_image_policy_checks_total",
      help: "Scheduled image policy checks by outcome (ok, or the failure code)",
      labelNames: ["outcome"] as const,
      registers,
    }),
    imagePolicyCheckDuration: new Histogram({
      name: "tideline_image_policy_check_duration_seconds",
      help: "Time of one scheduled image policy check",
      buckets: FETCH_BUCKETS,
      registers,
    }),

    scrapeErrors: new Counter({
      name: "tideline_metrics_source_errors_total",
      help: "Scrapes whose database figures (environments, job queues) could not be read; those series are absent from that scrape",
      labelNames: ["source"] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: "tideline_http_request_duration_seconds",
      help: "API request time by method, route pattern and status code",
      labelNames: ["method", "route", "code"] as const,
      buckets: HTTP_BUCKETS,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

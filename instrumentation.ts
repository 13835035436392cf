// Starts background work (repository fetch, cluster checks, the reconciler) once per server process.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("./lib/env");
  const { startPeriodicFetch } = await import("./lib/repositories/background");
  const { startPeriodicClusterChecks } = await import("./lib/clusters/background");
  startPeriodicFetch();
  startPeriodicClusterChecks(env().TIDELINE_CLUSTER_CHECK_INTERVAL_SECONDS);
  const { reconciler } = await import("./lib/reconcile/process-reconciler");
  reconciler().start(env().TIDELINE_RECONCILE_INTERVAL_SECONDS);
  const { startImagePoller } = await import("./lib/images/automation-poller");
  await startImagePoller();
  const { startPromotionTracker } = await import("./lib/promotions/background");
  startPromotionTracker();
  const { startDeliveryPruning } = await import("./lib/webhooks/deliveries");
  const { db } = await import("./lib/db");
  startDeliveryPruning(db);
}

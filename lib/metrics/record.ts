// What the reconcile loop reports, one call per finished step, so call sites stay one line and
// every per-environment series is labelled the same way (environment_id, bounded statuses).
import { metrics, secondsSince } from "./registry";

const DRIFT_STATUSES = ["OutOfSync", "Missing", "Extraneous", "Error"] as const;

export function recordSync(environmentId: string, trigger: string, status: string, startedMs: number): void {
  const m = metrics();
  m.syncTotal.inc({ environment_id: environmentId, trigger, status });
  m.syncDuration.observe({ trigger, status }, secondsSince(startedMs));
}

export function recordReconcile(environmentId: string, result: string, startedMs: number): void {
  const m = metrics();
  m.reconcileTotal.inc({ environment_id: environmentId, result });
  m.reconcileDuration.observe({ result }, secondsSince(startedMs));
}

/** Objects that differ from Git, by status, after a reconcile or sync (a status at 0 is kept at 0, not dropped). */
export function recordDrift(environmentId: string, reports: ReadonlyArray<{ syncStatus: string }>): void {
  const counts = new Map<string, number>(DRIFT_STATUSES.map((s) => [s, 0]));
  for (const r of reports) if (counts.has(r.syncStatus)) counts.set(r.syncStatus, counts.get(r.syncStatus)! + 1);
  const gauge = metrics().driftObjects;
  for (const [status, n] of counts) {
    if (n > 0) gauge.set({ environment_id: environmentId, status }, n);
    else gauge.remove({ environment_id: environmentId, status });
  }
}

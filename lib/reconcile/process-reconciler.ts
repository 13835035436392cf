// This process's one Reconciler (started by instrumentation.ts); routes use it to ask
// for an immediate reconcile after something changed.
import { Reconciler } from "./worker";
import { reconcileDeps } from "../services";

const globalForReconciler = globalThis as unknown as { tidelineReconciler?: Reconciler };

export function reconciler(): Reconciler {
  globalForReconciler.tidelineReconciler ??= new Reconciler(reconcileDeps(), (m) => console.warn(`[tideline] ${m}`));
  return globalForReconciler.tidelineReconciler;
}

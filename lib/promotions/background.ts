// Follows promotions after they land (synced and healthy -> succeeded; failed sync -> failed)
// and merges approved promotions whose soak time has now passed. One loop per process; every
// step is idempotent, so several replicas may run it.
import { changeDeps, reconcileDeps } from "../services";
import { advancePromotions } from "./land";
import { retryApprovedPromotion } from "./decide";
import { sourceReadiness } from "./policy";
import type { PromotionDeps } from "./deps";

let timer: NodeJS.Timeout | undefined;

export const promotionDeps = (): PromotionDeps => ({ ...changeDeps(), ...reconcileDeps() });

export async function promotionTick(deps: PromotionDeps = promotionDeps()) {
  await advancePromotions(deps);
  // Approved and waiting (soak time, a failed merge: `error` says why; at most every 30 s), or a merge whose
  // process died; never one merging right now.
  const waiting = await deps.prisma.promotion.findMany({
    where: { status: "approved", kind: "promotion", OR: [{ error: { not: null }, updatedAt: { lt: new Date(Date.now() - 30_000) } }, { updatedAt: { lt: new Date(Date.now() - 5 * 60_000) } }] },
    include: { sourceEnvironment: true, targetEnvironment: true },
  });
  for (const p of waiting) {
    if (!p.sourceEnvironment || sourceReadiness(p.sourceEnvironment, p.targetEnvironment).blockers.length) continue;
    await retryApprovedPromotion(deps, { id: "tideline", username: "tideline" }, p.id).catch(() => {});
  }
}

export function startPromotionTracker(intervalMs = 2000): void {
  if (timer) return;
  let running = false;
  timer = setInterval(() => {
    if (running) return;
    running = true;
    promotionTick()
      .catch((e: Error) => console.warn(`[tideline] promotion tracker: ${e.message}`))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
}

// The background reconciler: rechecks every environment on an interval, right after its
// branch moves (fetch), and shortly after a live object it manages changes (watch events).
import type { PrismaClient } from "../generated/prisma/client";
import type { ClusterCache } from "../kube/cluster-cache";
import { INVENTORY_LABEL } from "./desired";
import { reconcileEnvironment, type ReconcileDeps } from "./reconcile-environment";

const DEBOUNCE_MS = 250;

export class Reconciler {
  private timer?: NodeJS.Timeout;
  private pending = new Map<string, NodeJS.Timeout>();
  private watched = new Set<string>();
  private running = new Set<string>();
  private again = new Set<string>();
  private failures = new Map<string, number>();

  constructor(private readonly deps: ReconcileDeps, private readonly log: (m: string) => void = () => {}) {}

  start(intervalSeconds: number): void {
    if (this.timer || intervalSeconds <= 0) return;
    const tick = () => void this.reconcileAll().catch((e) => this.log(`reconcile pass failed: ${(e as Error).message}`));
    this.timer = setInterval(tick, intervalSeconds * 1000);
    this.timer.unref();
    tick();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
  }

  async reconcileAll(): Promise<void> {
    const envs = await this.deps.prisma.environment.findMany({ select: { id: true, clusterId: true } });
    for (const env of envs) {
      await this.watchCluster(env.clusterId);
      await this.run(env.id);
    }
  }

  /** Environments following a branch that just moved. */
  async onBranchMoved(prisma: PrismaClient, repositoryId: string): Promise<void> {
    const envs = await prisma.environment.findMany({ where: { repositoryId }, select: { id: true } });
    for (const e of envs) this.schedule(e.id);
  }

  schedule(environmentId: string, delayMs = DEBOUNCE_MS): void {
    clearTimeout(this.pending.get(environmentId));
    const t = setTimeout(() => {
      this.pending.delete(environmentId);
      void this.run(environmentId);
    }, delayMs);
    t.unref();
    this.pending.set(environmentId, t);
  }

  private async run(environmentId: string): Promise<void> {
    // A reconcile requested while one runs here is queued, not dropped; across processes the lease decides.
    if (this.running.has(environmentId)) {
      this.again.add(environmentId);
      return;
    }
    this.running.add(environmentId);
    try {
      await reconcileEnvironment(this.deps, environmentId);
      this.failures.delete(environmentId);
    } catch (e) {
      // Retry with exponential backoff (1 s, 2 s, 4 s, ... up to 5 minutes) besides the interval.
      const n = (this.failures.get(environmentId) ?? 0) + 1;
      this.failures.set(environmentId, n);
      this.log(`reconcile of ${environmentId} failed (attempt ${n}): ${(e as Error).message}`);
      this.schedule(environmentId, Math.min(300_000, 1000 * 2 ** (n - 1)));
    } finally {
      this.running.delete(environmentId);
      if (this.again.delete(environmentId)) this.schedule(environmentId);
    }
  }

  private async watchCluster(clusterId: string): Promise<void> {
    if (this.watched.has(clusterId)) return;
    this.watched.add(clusterId);
    let cache: ClusterCache;
    try {
      cache = await this.deps.cacheFor(clusterId);
    } catch {
      this.watched.delete(clusterId);
      return;
    }
    cache.onChange((_type, obj) => {
      const env = obj.metadata.labels?.[INVENTORY_LABEL];
      if (env) this.schedule(env);
    });
  }
}

// All watch-backed kind caches of one cluster. Callers ask for objects by kind, namespace
// and label selector; the first request for a kind starts its watch and waits for its LIST.
import { Discovery } from "./discovery";
import { KindCache, type CacheListener, type KindCacheOptions } from "./kind-cache";
import { parseLabelSelector } from "./label-selector";
import { closeConnections, type KubeClient } from "./transport";
import type { KubeObject } from "./watch-stream";

export interface LiveQuery {
  apiVersion: string;
  kind: string;
  namespace?: string;
  labelSelector?: string;
}

export class ClusterCache {
  private kinds = new Map<string, Promise<KindCache>>();
  private listeners = new Set<CacheListener>();
  readonly discovery: Discovery;

  constructor(
    readonly client: KubeClient,
    private readonly opts: { maxBackoffMs?: number; indexLabel?: string } = {},
  ) {
    this.discovery = new Discovery(client);
  }

  async kind(apiVersion: string, kind: string): Promise<KindCache> {
    return this.start(`${apiVersion}/${kind}`, apiVersion, kind, {});
  }

  /**
   * One kind in one namespace (an environment's ReplicaSets, Pods, Events): reuses the cluster-wide
   * cache when one runs, else watches only that namespace. `cap` bounds what it keeps (events).
   */
  async namespacedKind(apiVersion: string, kind: string, namespace: string, cap?: KindCacheOptions["cap"]): Promise<KindCache> {
    const wide = this.kinds.get(`${apiVersion}/${kind}`);
    if (wide) return this.start(`${apiVersion}/${kind}`, apiVersion, kind, {});
    return this.start(`${apiVersion}/${kind}@${namespace}`, apiVersion, kind, { namespace, cap });
  }

  private async start(key: string, apiVersion: string, kind: string, scope: Pick<KindCacheOptions, "namespace" | "cap">): Promise<KindCache> {
    let entry = this.kinds.get(key);
    if (!entry) {
      entry = (async () => {
        const type = await this.discovery.resolve(apiVersion, kind);
        const cache = new KindCache(this.client, type, { ...this.opts, ...scope });
        cache.onChange((t, o) => this.listeners.forEach((l) => l(t, o)));
        cache.start();
        return cache;
      })();
      this.kinds.set(key, entry);
      entry.catch(() => this.kinds.delete(key));
    }
    const cache = await entry;
    try {
      await cache.waitForSync();
    } catch (e) {
      cache.stop();
      this.kinds.delete(key);
      throw e;
    }
    return cache;
  }

  async list(query: LiveQuery): Promise<KubeObject[]> {
    const cache = await this.kind(query.apiVersion, query.kind);
    // "label=value" on the indexed label (an environment's inventory) reads the index, not the whole kind.
    const exact = query.labelSelector?.match(/^([^=!,\s()]+)=([^=!,\s()]*)$/);
    const indexed = exact ? cache.withIndexedLabel(exact[1]!, exact[2]!) : undefined;
    if (indexed) return query.namespace ? indexed.filter((o) => o.metadata.namespace === query.namespace) : indexed;
    const matches = parseLabelSelector(query.labelSelector);
    const out: KubeObject[] = [];
    for (const obj of cache.objects.values()) {
      if (query.namespace && obj.metadata.namespace !== query.namespace) continue;
      if (!matches(obj.metadata.labels ?? {})) continue;
      out.push(obj);
    }
    return out;
  }

  async get(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<KubeObject | null> {
    const cache = await this.kind(apiVersion, kind);
    return cache.objects.get(`${namespace ?? ""}/${name}`) ?? null;
  }

  onChange(listener: CacheListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async status() {
    const entries = await Promise.allSettled([...this.kinds.values()]);
    return entries
      .filter((e): e is PromiseFulfilledResult<KindCache> => e.status === "fulfilled")
      .map(({ value: k }) => ({
        apiVersion: k.type.apiVersion,
        kind: k.type.kind,
        ...(k.namespace ? { namespace: k.namespace } : {}),
        objects: k.objects.size,
        state: k.state,
        lastError: k.lastError,
        relists: k.relists,
      }));
  }

  stop(): void {
    for (const entry of this.kinds.values()) void entry.then((k) => k.stop()).catch(() => {});
    this.kinds.clear();
    closeConnections(this.client);
  }
}

// A watch-backed cache of one kind in one cluster: LIST (paginated) then WATCH from the
// list's resourceVersion; re-list on 410 Gone; reconnect with capped, jittered backoff.
import { kubeRequest, KubeError, type KubeClient } from "./transport";
import { collectionPath, type ResourceType } from "./discovery";
import { watchStream, type KubeObject } from "./watch-stream";
import { metrics } from "../metrics/registry";

export type KindCacheState = "starting" | "synced" | "retrying" | "stopped";
export type CacheListener = (type: "ADDED" | "MODIFIED" | "DELETED", object: KubeObject) => void;

const PAGE = 500;
const WATCH_SECONDS = 300;

export const objectKey = (o: KubeObject) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`;

/** Managed fields are large and never shown or compared; dropping them halves memory. */
function slim(o: KubeObject): KubeObject {
  if (o.metadata.managedFields) {
    const { managedFields: _drop, ...metadata } = o.metadata;
    return { ...o, metadata };
  }
  return o;
}

export interface KindCacheOptions {
  maxBackoffMs?: number;
  indexLabel?: string;
  /** Watch one namespace only (children and events of an environment), not the whole cluster. */
  namespace?: string;
  /** Keep at most this many objects, dropping the lowest `rank` first (events: the oldest). */
  cap?: { max: number; rank: (o: KubeObject) => number };
}

export class KindCache {
  readonly objects = new Map<string, KubeObject>();
  state: KindCacheState = "starting";
  lastError: string | null = null;
  resourceVersion = "";
  relists = 0;
  private abort = new AbortController();
  private listeners = new Set<CacheListener>();
  private syncedOnce: Promise<void>;
  private markSynced!: () => void;
  private failSync!: (e: Error) => void;

  /** Keys of the objects per value of `opts.indexLabel`: lists by that label cost O(matches), not O(kind). */
  private readonly byLabel = new Map<string, Set<string>>();

  constructor(
    private readonly client: KubeClient,
    readonly type: ResourceType,
    private readonly opts: KindCacheOptions = {},
  ) {
    this.syncedOnce = new Promise((resolve, reject) => {
      this.markSynced = resolve;
      this.failSync = reject;
    });
    this.syncedOnce.catch(() => {});
  }

  /** The one namespace this cache watches (undefined: the whole cluster). */
  get namespace(): string | undefined {
    return this.opts.namespace;
  }

  start(): void {
    void this.run();
  }

  /** The objects whose indexed label has this value (undefined when no label is indexed). */
  withIndexedLabel(label: string, value: string): KubeObject[] | undefined {
    if (label !== this.opts.indexLabel) return undefined;
    const keys = this.byLabel.get(value);
    return keys ? [...keys].map((k) => this.objects.get(k)!).filter(Boolean) : [];
  }

  private put(key: string, obj: KubeObject | null): void {
    const label = this.opts.indexLabel;
    if (label) {
      const before = this.objects.get(key)?.metadata.labels?.[label];
      const after = obj?.metadata.labels?.[label];
      if (before !== after && before !== undefined) {
        const set = this.byLabel.get(before);
        set?.delete(key);
        if (set?.size === 0) this.byLabel.delete(before);
      }
      if (after !== undefined) {
        let set = this.byLabel.get(after);
        if (!set) this.byLabel.set(after, (set = new Set()));
        set.add(key);
      }
    }
    if (obj) this.objects.set(key, obj);
    else this.objects.delete(key);
    if (obj && this.opts.cap && this.objects.size > this.opts.cap.max) this.evictLowest(this.opts.cap.rank);
  }

  private evictLowest(rank: (o: KubeObject) => number): void {
    let lowest: [string, number] | undefined;
    for (const [k, o] of this.objects) {
      const r = rank(o);
      if (!lowest || r < lowest[1]) lowest = [k, r];
    }
    if (lowest) this.put(lowest[0], null);
  }

  /** Resolves after the first complete LIST; rejects if it fails for good (403, unknown kind). */
  waitForSync(): Promise<void> {
    return this.syncedOnce;
  }

  onChange(listener: CacheListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Restarts the watch from a given resourceVersion (a too-old one forces a fresh LIST). */
  resync(fromResourceVersion?: string): void {
    if (fromResourceVersion !== undefined) this.resourceVersion = fromResourceVersion;
    this.abort.abort();
  }

  stop(): void {
    if (this.state !== "stopped") metrics().watchCacheObjects.dec({ cluster: this.client.name }, this.objects.size);
    this.state = "stopped";
    this.abort.abort();
  }

  /** Keeps tideline_watch_cache_objects in step with what this (running) cache holds. */
  private counted(change: () => void): void {
    const before = this.objects.size;
    change();
    if (this.objects.size !== before && this.state !== "stopped") metrics().watchCacheObjects.inc({ cluster: this.client.name }, this.objects.size - before);
  }

  private async run(): Promise<void> {
    let attempt = 0;
    let needList = true;
    while (this.state !== "stopped") {
      try {
        if (needList) {
          await this.list();
          if ((this.state as KindCacheState) === "stopped") return;
          needList = false;
          this.relists += 1;
        }
        attempt = 0;
        await this.watch();
      } catch (error) {
        if ((this.state as KindCacheState) === "stopped") return;
        const e = error as KubeError;
        if (e instanceof KubeError && e.failure === "gone") {
          needList = true; // our resourceVersion is too old: start over from a fresh LIST
          metrics().watchRestarts.inc({ cluster: this.client.name, reason: "expired" });
          continue;
        }
        metrics().watchRestarts.inc({ cluster: this.client.name, reason: "error" });
        if (e instanceof KubeError && (e.failure === "forbidden" || e.failure === "not_found") && this.state === "starting") {
          this.lastError = e.message;
          this.failSync(e);
        }
        this.lastError = e.message;
        this.state = "retrying";
        attempt += 1;
        const cap = this.opts.maxBackoffMs ?? 30_000;
        const delay = Math.min(cap, 250 * 2 ** Math.min(attempt, 10)) * (0.5 + Math.random() / 2);
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
  }

  private async list(): Promise<void> {
    const fresh = new Map<string, KubeObject>();
    let cont: string | undefined;
    let rv = "";
    do {
      const page = await kubeRequest<{ items: KubeObject[]; metadata: { resourceVersion: string; continue?: string } }>(
        this.client,
        "GET",
        collectionPath(this.type, this.opts.namespace),
        {
          query: { limit: PAGE, continue: cont },
          timeoutMs: 60_000,
          signal: this.abort.signal,
        },
      );
      for (const item of page.items) fresh.set(objectKey(item), slim({ ...item, apiVersion: this.type.apiVersion, kind: this.type.kind }));
      cont = page.metadata.continue || undefined;
      rv = page.metadata.resourceVersion;
    } while (cont);
    if (this.state === "stopped") return; // stop() raced with this LIST: keep nothing
    // Tell listeners what changed while we were not watching.
    for (const [key, obj] of fresh) {
      const old = this.objects.get(key);
      if (!old) this.emit("ADDED", obj);
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.emit("MODIFIED", obj);
    }
    for (const [key, obj] of this.objects) if (!fresh.has(key)) this.emit("DELETED", obj);
    this.counted(() => {
      this.objects.clear();
      this.byLabel.clear();
      for (const [k, v] of fresh) this.put(k, v);
    });
    this.resourceVersion = rv;
    this.state = "synced";
    this.lastError = null;
    this.markSynced();
  }

  private async watch(): Promise<void> {
    this.abort = new AbortController();
    if (this.state === "stopped") return;
    const query = { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: Math.round(WATCH_SECONDS * (0.8 + Math.random() * 0.4)) };
    for await (const event of watchStream(this.client, collectionPath(this.type, this.opts.namespace), query, this.abort.signal)) {
      if (event.type === "ERROR") {
        const status = event.object as unknown as { code?: number; message?: string };
        if (status.code === 410) throw new KubeError("gone", status.message ?? "resourceVersion too old", 410);
        throw new KubeError("http", `watch error: ${status.message ?? JSON.stringify(status)}`, status.code);
      }
      this.resourceVersion = event.object.metadata.resourceVersion ?? this.resourceVersion;
      if (event.type === "BOOKMARK") continue;
      const obj = slim({ ...event.object, apiVersion: this.type.apiVersion, kind: this.type.kind });
      this.counted(() => this.put(objectKey(obj), event.type === "DELETED" ? null : obj));
      this.state = "synced";
      this.emit(event.type, obj);
    }
  }

  private emit(type: "ADDED" | "MODIFIED" | "DELETED", obj: KubeObject): void {
    for (const l of this.listeners) {
      try {
        l(type, obj);
      } catch {
        // a faulty listener must not break the cache
      }
    }
  }
}

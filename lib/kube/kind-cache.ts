// A watch-backed cache of one kind in one cluster: LIST (paginated) then WATCH from the
// list's resourceVersion; re-list on 410 Gone; reconnect with capped, jittered backoff.
import { kubeRequest, KubeError, type KubeClient } from "./transport";
import { collectionPath, type ResourceType } from "./discovery";
import { watchStream, type KubeObject } from "./watch-stream";

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

  constructor(private readonly client: KubeClient, readonly type: ResourceType, private readonly opts: { maxBackoffMs?: number } = {}) {
    this.syncedOnce = new Promise((resolve, reject) => {
      this.markSynced = resolve;
      this.failSync = reject;
    });
    this.syncedOnce.catch(() => {});
  }

  start(): void {
    void this.run();
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
    this.state = "stopped";
    this.abort.abort();
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
          continue;
        }
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
      const page = await kubeRequest<{ items: KubeObject[]; metadata: { resourceVersion: string; continue?: string } }>(this.client, "GET", collectionPath(this.type), {
        query: { limit: PAGE, continue: cont },
        timeoutMs: 60_000,
        signal: this.abort.signal,
      });
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
    this.objects.clear();
    for (const [k, v] of fresh) this.objects.set(k, v);
    this.resourceVersion = rv;
    this.state = "synced";
    this.lastError = null;
    this.markSynced();
  }

  private async watch(): Promise<void> {
    this.abort = new AbortController();
    if (this.state === "stopped") return;
    const query = { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: Math.round(WATCH_SECONDS * (0.8 + Math.random() * 0.4)) };
    for await (const event of watchStream(this.client, collectionPath(this.type), query, this.abort.signal)) {
      if (event.type === "ERROR") {
        const status = event.object as unknown as { code?: number; message?: string };
        if (status.code === 410) throw new KubeError("gone", status.message ?? "resourceVersion too old", 410);
        throw new KubeError("http", `watch error: ${status.message ?? JSON.stringify(status)}`, status.code);
      }
      this.resourceVersion = event.object.metadata.resourceVersion ?? this.resourceVersion;
      if (event.type === "BOOKMARK") continue;
      const obj = slim({ ...event.object, apiVersion: this.type.apiVersion, kind: this.type.kind });
      if (event.type === "DELETED") this.objects.delete(objectKey(obj));
      else this.objects.set(objectKey(obj), obj);
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

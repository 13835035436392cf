// Database changes announced on Postgres's "tideline_live" channel (triggers on Environment and
// SyncRun, see live_notify; Promotion, Approval and Notification, see live_hints): one LISTEN
// connection per process, shared by every open stream, reconnected with backoff. After a reconnect listeners hear "resync" (they may have
// missed notifications while it was down).
import pg from "pg";

export const LIVE_CHANNEL = "tideline_live";

export type LiveNotification =
  | { type: "environment"; environmentId: string }
  | { type: "syncRun"; environmentId: string; syncRunId: string; status: string }
  | { type: "promotion"; promotionId: string; applicationId: string }
  | { type: "notification"; userId: string }
  | { type: "resync" };

export type NotificationListener = (n: LiveNotification) => void;

export interface NotificationSource {
  subscribe(listener: NotificationListener): () => void;
}

export function parseNotification(payload: string | undefined): LiveNotification | null {
  const [type, a, b, c] = (payload ?? "").split(":");
  if (type === "environment" && a) return { type, environmentId: a };
  if (type === "syncRun" && a && b) return { type, environmentId: a, syncRunId: b, status: c ?? "" };
  if (type === "promotion" && a && b) return { type, promotionId: a, applicationId: b };
  if (type === "notification" && a) return { type, userId: a };
  return null;
}

export class PgNotifications implements NotificationSource {
  private listeners = new Set<NotificationListener>();
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private attempt = 0;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly log: (m: string) => void = () => {},
  ) {}

  subscribe(listener: NotificationListener): () => void {
    this.listeners.add(listener);
    void this.connect();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.close();
    };
  }

  /** Resolves once LISTEN is in place (tests and the stream wait for it before answering). */
  ready(): Promise<void> {
    return this.connecting ?? Promise.resolve();
  }

  private connect(): Promise<void> {
    if (this.client || this.connecting) return this.connecting ?? Promise.resolve();
    const client = new pg.Client({ connectionString: this.connectionString, application_name: "tideline-live" });
    this.connecting = (async () => {
      try {
        client.on("notification", (m) => {
          const n = m.channel === LIVE_CHANNEL ? parseNotification(m.payload) : null;
          if (n) this.emit(n);
        });
        client.on("error", (e) => this.lost(client, e));
        client.on("end", () => this.lost(client, new Error("connection ended")));
        await client.connect();
        await client.query(`LISTEN ${LIVE_CHANNEL}`);
        this.client = client;
        if (this.attempt > 0) this.emit({ type: "resync" });
        this.attempt = 0;
      } catch (e) {
        this.lost(client, e as Error);
      } finally {
        this.connecting = null;
      }
    })();
    return this.connecting;
  }

  private lost(client: pg.Client, e: Error) {
    if (this.client && this.client !== client) return;
    this.client = null;
    void client.end().catch(() => {});
    if (this.listeners.size === 0 || this.retry) return;
    this.attempt += 1;
    const delay = Math.min(30_000, 250 * 2 ** Math.min(this.attempt, 7));
    this.log(`live notifications: ${e.message}; listening again in ${Math.round(delay)} ms`);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (this.listeners.size) void this.connect();
    }, delay);
    this.retry.unref();
  }

  private close() {
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    const c = this.client;
    this.client = null;
    void c?.end().catch(() => {});
  }

  private emit(n: LiveNotification) {
    for (const l of this.listeners) {
      try {
        l(n);
      } catch {
        // one faulty stream must not stop the others
      }
    }
  }
}

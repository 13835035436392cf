// Change hints for every page of a signed-in user (GET /api/live): which promotion, environment or
// notification list changed, as ids only, so a page refetches what it shows through its own
// authorized routes and no row's contents (let alone a Secret) ever travel on the stream. One hub
// per process keeps a ring of recent hints so a reconnecting client resumes from its Last-Event-ID;
// when it cannot (another process, a restart, too far behind) the client hears "resync".
import { randomBytes } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client";
import { effectiveRole } from "../auth/application-roles";
import { can, type RoleName } from "../auth/roles";
import type { LiveNotification, NotificationSource } from "./pg-notifications";

export type Hint =
  | { topic: "environment"; id: string; applicationId: string }
  | { topic: "promotion"; id: string; applicationId: string }
  | { topic: "notification" };

export interface HintMessage {
  id: string;
  event: "hint" | "resync" | "ready";
  data: unknown;
}

interface Entry {
  seq: number;
  hint: Hint;
  /** Only this user hears it (notification hints). */
  userId?: string;
}

export interface HintUser {
  id: string;
  role: RoleName;
}

export interface UserHintsDeps {
  prisma: PrismaClient;
  notifications: NotificationSource;
  /** How many hints are kept for resumption (default 1,000). */
  capacity?: number;
}

type Subscriber = { user: HintUser; send: (m: HintMessage) => void; readable: Map<string, Promise<boolean>>; queue: Promise<unknown> };

export class UserHintHub {
  readonly epoch = randomBytes(4).toString("hex");
  private seq = 0;
  private ring: Entry[] = [];
  private subscribers = new Set<Subscriber>();
  private stop: (() => void) | null = null;
  private envApps = new Map<string, string | null>();
  private intake: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: UserHintsDeps) {}

  /** Streams the user's hints to `send` from `lastEventId` on; returns the unsubscribe. */
  async subscribe(user: HintUser, send: (m: HintMessage) => void, lastEventId: string | null): Promise<() => void> {
    this.stop ??= this.deps.notifications.subscribe((n) => this.onNotification(n));
    await (this.deps.notifications as { ready?: () => Promise<void> }).ready?.();
    const sub: Subscriber = { user, send, readable: new Map(), queue: Promise.resolve() };
    const after = this.resumePoint(lastEventId);
    if (after === null && lastEventId) send({ id: this.idOf(this.seq), event: "resync", data: {} });
    this.subscribers.add(sub);
    if (after !== null) for (const e of this.ring) if (e.seq > after) this.deliver(sub, e);
    // "ready": listening from here on, and an id to resume from even before the first hint.
    const readyId = this.idOf(this.seq);
    sub.queue = sub.queue.then(() => send({ id: readyId, event: "ready", data: {} }));
    await sub.queue;
    return () => this.subscribers.delete(sub);
  }

  get size(): number {
    return this.subscribers.size;
  }

  close(): void {
    this.stop?.();
    this.stop = null;
    this.subscribers.clear();
  }

  /** The sequence number to replay after, or null when `lastEventId` is not ours or fell out of the ring. */
  private resumePoint(lastEventId: string | null): number | null {
    if (!lastEventId) return this.seq;
    const [epoch, n] = lastEventId.split("-");
    const seq = Number(n);
    if (epoch !== this.epoch || !Number.isInteger(seq) || seq > this.seq) return null;
    const oldest = this.ring[0]?.seq ?? this.seq + 1;
    return seq >= oldest - 1 ? seq : null;
  }

  private idOf(seq: number) {
    return `${this.epoch}-${seq}`;
  }

  private onNotification(n: LiveNotification) {
    // Serialized so hints keep the order the database announced them in.
    this.intake = this.intake.then(async () => {
      const hint = await this.hintFor(n).catch(() => null);
      if (n.type === "resync") {
        for (const s of this.subscribers) s.send({ id: this.idOf(this.seq), event: "resync", data: {} });
        return;
      }
      if (!hint) return;
      const entry: Entry = { seq: ++this.seq, hint, userId: n.type === "notification" ? n.userId : undefined };
      this.ring.push(entry);
      if (this.ring.length > (this.deps.capacity ?? 1_000)) this.ring.shift();
      for (const s of this.subscribers) this.deliver(s, entry);
    });
  }

  private async hintFor(n: LiveNotification): Promise<Hint | null> {
    if (n.type === "promotion") return { topic: "promotion", id: n.promotionId, applicationId: n.applicationId };
    if (n.type === "notification") return { topic: "notification" };
    if (n.type !== "environment") return null; // sync runs reach pages through their environment's row
    let applicationId = this.envApps.get(n.environmentId);
    if (applicationId === undefined) {
      const env = await this.deps.prisma.environment.findUnique({ where: { id: n.environmentId }, select: { applicationId: true } });
      applicationId = env?.applicationId ?? null;
      if (this.envApps.size > 10_000) this.envApps.clear();
      this.envApps.set(n.environmentId, applicationId);
    }
    return applicationId ? { topic: "environment", id: n.environmentId, applicationId } : null;
  }

  /** Sends `e` to `s` if it is theirs to see: their own notifications, applications they may read. */
  private deliver(s: Subscriber, e: Entry) {
    s.queue = s.queue.then(async () => {
      if (e.userId !== undefined && e.userId !== s.user.id) return;
      if ("applicationId" in e.hint && !(await this.mayRead(s, e.hint.applicationId))) return;
      s.send({ id: this.idOf(e.seq), event: "hint", data: e.hint });
    });
  }

  private mayRead(s: Subscriber, applicationId: string): Promise<boolean> {
    // Cached per stream: a stream lives a few minutes, then reconnects and is authorized again.
    let p = s.readable.get(applicationId);
    if (!p) {
      p = effectiveRole(this.deps.prisma, s.user, applicationId)
        .then((role) => can(role, "application.read"))
        .catch(() => false);
      s.readable.set(applicationId, p);
    }
    return p;
  }
}

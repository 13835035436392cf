// The image poller: every few seconds it claims the policies whose nextCheckAt has passed (a Postgres
// lease via FOR UPDATE SKIP LOCKED, so replicas never check one twice), checks them a few at a time,
// then marks updates whose commit has been deployed as synced.
import type { PrismaClient } from "../generated/prisma/client";
import { checkPolicy } from "./automation";
import { trackSyncedUpdates } from "./automation-sync";
import type { AutomationDeps } from "./automation-types";

export interface PollerOptions {
  tickMs?: number; // default 5 s
  concurrency?: number; // checks in flight, default 4
  batch?: number; // policies claimed per tick, default 25
  leaseSeconds?: number; // how long a claim keeps other replicas away, default 600
  log?: (message: string) => void;
}

/** Claims up to `limit` due policies: moves their nextCheckAt one lease ahead and returns when each was due. */
export async function claimDuePolicies(prisma: PrismaClient, limit: number, leaseSeconds: number): Promise<Array<{ id: string; scheduledAt: Date }>> {
  return prisma.$queryRaw<Array<{ id: string; scheduledAt: Date }>>`
    WITH due AS (
      SELECT id, "nextCheckAt" FROM "ImagePolicy"
      WHERE "nextCheckAt" <= now()
      ORDER BY "nextCheckAt"
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE "ImagePolicy" p SET "nextCheckAt" = now() + (${leaseSeconds} * interval '1 second')
    FROM due WHERE p.id = due.id
    RETURNING p.id, due."nextCheckAt" AS "scheduledAt"`;
}

/** Runs fn over items with at most `limit` in flight. */
export async function inPool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

export class ImagePoller {
  private timer?: NodeJS.Timeout;
  private running = false;
  constructor(private readonly deps: () => AutomationDeps, private readonly opts: PollerOptions = {}) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.opts.tickMs ?? 5000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One pass; a pass still running when the next tick comes is not overlapped. Returns the policies checked. */
  async tick(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    const log = this.opts.log ?? (() => {});
    let checked = 0;
    try {
      const deps = this.deps();
      const claimed = await claimDuePolicies(deps.prisma, this.opts.batch ?? 25, this.opts.leaseSeconds ?? 600);
      await inPool(claimed, this.opts.concurrency ?? 4, async ({ id, scheduledAt }) => {
        try {
          await checkPolicy(deps, id, { trigger: "poll", scheduledAt });
          checked += 1;
        } catch (e) {
          log(`image policy ${id}: check failed: ${(e as Error).message}`);
          // Not left at the lease: try again in a minute.
          await deps.prisma.imagePolicy.updateMany({ where: { id }, data: { nextCheckAt: new Date(Date.now() + 60_000), lastError: `internal: ${(e as Error).message}`.slice(0, 2000) } }).catch(() => {});
        }
      });
      await trackSyncedUpdates(deps).catch((e: Error) => log(`image update sync tracking failed: ${e.message}`));
    } catch (e) {
      log(`image poller pass failed: ${(e as Error).message}`);
    } finally {
      this.running = false;
    }
    return checked;
  }
}

const globalForPoller = globalThis as unknown as { tidelineImagePoller?: ImagePoller };

/** Starts this process's poller (TIDELINE_IMAGE_POLL_TICK_SECONDS, default 5; 0 disables). */
export async function startImagePoller(): Promise<void> {
  const { env } = await import("../env");
  const seconds = env().TIDELINE_IMAGE_POLL_TICK_SECONDS;
  if (seconds <= 0 || globalForPoller.tidelineImagePoller) return;
  const { imageDeps } = await import("../services");
  globalForPoller.tidelineImagePoller = new ImagePoller(imageDeps, { tickMs: seconds * 1000, log: (m) => console.warn(`[tideline] ${m}`) });
  globalForPoller.tidelineImagePoller.start();
}

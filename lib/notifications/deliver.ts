// Delivery on the job engine. The relay (one long-running "notification.relay" job, handed over
// like a cluster watch) LISTENs for committed events and queues one "notification.deliver" job per
// delivery row; the deliver job claims its row, sends, and records the outcome. A failed send is
// retried by the engine with exponential backoff; the last attempt marks the delivery failed.
import pg from "pg";
import type { PrismaClient } from "../generated/prisma/client";
import type { JobContext, JobQueue } from "../jobs/types";
import { maskSecretsIn } from "../net/outbound-guard";
import { NOTIFY_CHANNEL } from "./emit";
import { sendToChannel, type SendDeps } from "./send";

export interface DeliverDeps extends SendDeps {
  prisma: PrismaClient;
  /** Attempts after the first (the queue's retryLimit). */
  retryLimit: number;
}

/** A claim older than this belongs to an attempt that died mid-send: it may be taken over. */
const STALE_CLAIM_MS = 60_000;

export async function deliverNotification(deps: DeliverDeps, deliveryId: string, ctx: Pick<JobContext, "attempt">): Promise<{ status: string }> {
  const { prisma } = deps;
  const staleBefore = new Date(Date.now() - STALE_CLAIM_MS);
  const claimed = await prisma.notificationDelivery.updateMany({
    where: { id: deliveryId, OR: [{ status: { in: ["pending", "retrying"] } }, { status: "sending", claimedAt: { lt: staleBefore } }] },
    data: { status: "sending", claimedAt: new Date(), attempts: { increment: 1 } },
  });
  if (claimed.count === 0) {
    const row = await prisma.notificationDelivery.findUnique({ where: { id: deliveryId }, select: { status: true } });
    // Another attempt is sending right now: try again later rather than report success.
    if (row?.status === "sending") throw new Error(`delivery ${deliveryId} is being sent by another attempt`);
    return { status: row?.status ?? "gone" };
  }
  const delivery = await prisma.notificationDelivery.findUniqueOrThrow({ where: { id: deliveryId }, include: { event: true } });
  const channel = await prisma.notificationChannel.findUnique({ where: { id: delivery.channelId } });
  if (!channel) {
    await prisma.notificationDelivery.update({ where: { id: deliveryId }, data: { status: "failed", lastError: "The channel was deleted before delivery" } });
    return { status: "failed" };
  }
  try {
    const res = await sendToChannel(deps, channel, delivery.event, delivery.idempotencyKey);
    await prisma.notificationDelivery.update({
      where: { id: deliveryId },
      data: { status: "delivered", deliveredAt: new Date(), responseStatus: res.status ?? null, lastError: null },
    });
    return { status: "delivered" };
  } catch (e) {
    const url = channel.encryptedUrl ? safeUnseal(deps, channel.encryptedUrl) : null;
    const message = maskSecretsIn(describe(e), [url]).slice(0, 2000);
    const last = ctx.attempt >= deps.retryLimit;
    const status = (e as { details?: { status?: number } }).details?.status ?? (e as { code?: number | string }).code;
    await prisma.notificationDelivery.update({
      where: { id: deliveryId },
      data: { status: last ? "failed" : "retrying", lastError: message, responseStatus: typeof status === "number" ? status : null },
    });
    if (last) return { status: "failed" };
    throw new Error(`delivery to ${channel.name} failed (attempt ${ctx.attempt + 1}): ${message}`);
  }
}

const safeUnseal = (deps: SendDeps, sealed: string) => {
  try {
    return deps.unseal(sealed);
  } catch {
    return null;
  }
};

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as { cause?: unknown }).cause;
  const original = (e as { original?: unknown }).original;
  const inner = cause instanceof Error ? `: ${cause.message}` : original instanceof Error ? `: ${original.message}` : "";
  return `${e.message}${inner}`;
}

/** Queues a deliver job for every delivery that has none yet (or whose job was lost long ago). */
export async function relayPending(deps: { prisma: PrismaClient; jobs: JobQueue }): Promise<number> {
  const rows = await deps.prisma.$queryRaw<Array<{ id: string }>>`
    UPDATE "NotificationDelivery" SET "jobQueuedAt" = now()
    WHERE id IN (
      SELECT id FROM "NotificationDelivery"
      WHERE (status = 'pending' AND ("jobQueuedAt" IS NULL OR "jobQueuedAt" < now() - interval '10 minutes'))
         OR (status = 'sending' AND "claimedAt" < now() - interval '10 minutes')
      ORDER BY "createdAt" LIMIT 500 FOR UPDATE SKIP LOCKED
    )
    RETURNING id`;
  for (const r of rows) await deps.jobs.send("notification.deliver", { deliveryId: r.id });
  return rows.length;
}

export interface RelayDeps {
  prisma: PrismaClient;
  jobs: JobQueue;
  connectionString: string;
  stopping?: AbortSignal;
  log?: (m: string) => void;
}

/** Runs while this process holds the relay: wakes on each committed event, sweeps every few seconds. */
export async function ownRelay(deps: RelayDeps, ctx: Pick<JobContext, "signal">, holdMs = 10 * 60_000, sweepMs = 5_000): Promise<{ relayed: number }> {
  const client = new pg.Client({ connectionString: deps.connectionString });
  let wake: (() => void) | undefined;
  let woken = false;
  client.on("notification", () => {
    woken = true;
    wake?.();
  });
  client.on("error", (e) => deps.log?.(`notification relay: ${e.message}`));
  await client.connect();
  let relayed = 0;
  try {
    await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
    const deadline = Date.now() + holdMs;
    while (Date.now() < deadline && !ctx.signal.aborted && !deps.stopping?.aborted) {
      woken = false;
      relayed += await relayPending(deps).catch((e: Error) => {
        deps.log?.(`notification relay: ${e.message}`);
        return 0;
      });
      if (woken) continue;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          ctx.signal.removeEventListener("abort", done);
          deps.stopping?.removeEventListener("abort", done);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, Math.min(sweepMs, Math.max(0, deadline - Date.now())));
        ctx.signal.addEventListener("abort", done);
        deps.stopping?.addEventListener("abort", done);
        wake = done;
      });
    }
  } finally {
    await client.end().catch(() => {});
  }
  return { relayed };
}

// Notification latency: an event emitted (emitEvent commits the event and its delivery rows) ->
// delivered to a local HTTP receiver (signed webhook), through the real path: LISTEN relay ->
// pg-boss "notification.deliver" job -> HMAC-signed POST -> delivery recorded. Sequential events
// on an idle worker, then a burst of events emitted at once.
//
//   npx tsx --conditions=react-server bench/notify-latency.ts           # 100 sequential + 100 in a burst
//   BENCH_EVENTS=30 npx tsx --conditions=react-server bench/notify-latency.ts
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { freshDatabase } from "../support/stack";
import { startHttpReceiver } from "../tests/helpers/receivers";
import { log, stats, table } from "./lib/report";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100);
const TARGET_P50_MS = 1000;
const ms = (n: number) => Math.round(n * 10) / 10;

const tmp = mkdtempSync(path.join(os.tmpdir(), "tideline-bench-notify-"));
chmodSync(tmp, 0o755);
const database = await freshDatabase({ dataDir: tmp, prefix: "bench_notify" });
Object.assign(process.env, {
  DATABASE_URL: database.url,
  TIDELINE_SECRET_KEY: randomBytes(32).toString("base64"),
  TIDELINE_DATA_DIR: path.join(tmp, "data"),
  TIDELINE_OUTBOUND_HOSTS: "127.0.0.1",
  TIDELINE_JOB_SCHEMA: "bench_notify_jobs",
});

const { startWorker, stopWorker } = await import("../server/worker");
const { jobs } = await import("../server/root");
const { notifyManageDeps } = await import("../server/notify-root");
const { db } = await import("../lib/db");
const { emitEvent } = await import("../lib/notifications/emit");
const { createChannel, createSubscription } = await import("../lib/notifications/manage");

const receiver = await startHttpReceiver();
const arrived = new Map<string, number>();
const waiters = new Map<string, () => void>();
// The receiver records requests; poll its list cheaply for the event ids we wait on.
const seen = () => {
  for (const r of receiver.received.splice(0)) {
    const id = JSON.parse(r.body).id as string;
    arrived.set(id, r.at);
    waiters.get(id)?.();
  }
};
const ticker = setInterval(seen, 1);
try {
  await startWorker({ periodic: false });
  await jobs().send("notification.relay", {});
  const admin = await db().user.create({ data: { username: "bench-admin", passwordHash: "x", role: "admin" } });
  const app = await db().application.create({ data: { name: "bench-app" } });
  const channel = await createChannel(notifyManageDeps(), admin.username, {
    name: "bench-hook",
    type: "webhook",
    url: receiver.url("/hook"),
    secret: "bench-signing-secret-0123456789",
    enabled: true,
  });
  await createSubscription(db(), admin, { scopeType: "application", scopeId: app.id, events: ["*"], channelId: channel.id });

  const deliver = async (i: number) => {
    const t0 = performance.now();
    const wall0 = Date.now();
    const id = (await emitEvent(db(), { type: "sync.failed", applicationId: app.id, title: `bench event ${i}` }))!;
    const emitted = performance.now() - t0;
    if (!arrived.has(id)) await new Promise<void>((r) => waiters.set(id, r));
    return { emitMs: emitted, totalMs: arrived.get(id)! - wall0 };
  };

  log(`Emitting ${EVENTS + 5} events one after another (first 5 warm up)`);
  const sequential = [];
  for (let i = 0; i < EVENTS + 5; i++) sequential.push(await deliver(i));
  const seq = stats(
    sequential.slice(5).map((s) => s.totalMs),
    ms,
  );
  const emit = stats(
    sequential.slice(5).map((s) => s.emitMs),
    ms,
  );

  log(`Emitting ${EVENTS} events at once`);
  const burstStart = performance.now();
  const burst = await Promise.all(Array.from({ length: EVENTS }, (_, i) => deliver(10_000 + i)));
  const burstWall = performance.now() - burstStart;
  const b = stats(
    burst.map((s) => s.totalMs),
    ms,
  );
  const rows = await db().notificationDelivery.groupBy({ by: ["status"], _count: true });
  const duplicates = await db().notificationDelivery.count({ where: { attempts: { gt: 1 } } });

  console.log(
    `\nNotification latency: emitEvent -> delivered to a local receiver (load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}, ${os.cpus().length} cores, ${os.cpus()[0]?.model})\n`,
  );
  console.log(
    table(
      ["measure", "p50 ms", "p95 ms", "max ms"],
      [
        [`sequential, ${EVENTS} events: emit -> received`, seq.p50, seq.p95, seq.max],
        ["  of which emitEvent (transaction commit)", emit.p50, emit.p95, emit.max],
        [`burst of ${EVENTS} at once: emit -> received`, b.p50, b.p95, b.max],
      ],
    ),
  );
  console.log(
    `\nBurst wall time ${ms(burstWall)} ms (${ms((EVENTS / burstWall) * 1000)} deliveries/s). Deliveries: ${rows.map((r) => `${r.status} ${r._count}`).join(", ")}; retried: ${duplicates}`,
  );
  console.log(`Target p50 < ${TARGET_P50_MS} ms: ${seq.p50 < TARGET_P50_MS ? "met" : "NOT met"}`);
} finally {
  clearInterval(ticker);
  await stopWorker();
  await receiver.stop();
  await database.stop();
  rmSync(tmp, { recursive: true, force: true });
}

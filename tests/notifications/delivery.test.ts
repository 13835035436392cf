// Notifications end to end on the real job engine: an event is delivered exactly once per channel
// to a local HTTP receiver (signed webhook, Slack payload) and a local SMTP server, retried after
// a 500, recorded with status and attempts; destinations outside the allow-list are refused.
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma, makeUser, uniqueName } from "../helpers/db";
import { startHttpReceiver, startSmtpReceiver, waitFor } from "../helpers/receivers";
import { startTestWorker, stopTestWorker } from "../helpers/worker";
import { emitEvent } from "../../lib/notifications/emit";
import { createChannel, createSubscription, listChannels } from "../../lib/notifications/manage";
import { deliverNotification } from "../../lib/notifications/deliver";
import { listInbox, markRead } from "../../lib/notifications/inbox";
import { listDeliveries } from "../../lib/notifications/delivery-list";
import { maskSecretsIn, maskUrl } from "../../lib/net/outbound-guard";
import { SIGNATURE_HEADER } from "../../lib/notifications/send";
import { notifyDeps, notifyManageDeps } from "../../server/notify-root";
import type { JobEngine } from "../../lib/jobs/engine";

let http: Awaited<ReturnType<typeof startHttpReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let engine: JobEngine;
let admin: Awaited<ReturnType<typeof makeUser>>;

beforeAll(async () => {
  http = await startHttpReceiver();
  smtp = await startSmtpReceiver();
  // The test's receivers are local: allowed here as hooks.slack.com would be in production. Set before env() is first read.
  process.env.TIDELINE_OUTBOUND_HOSTS = "127.0.0.1";
  process.env.TIDELINE_SMTP_URL = smtp.url;
  process.env.TIDELINE_SMTP_FROM = "Tideline <tideline@example.test>";
  admin = await makeUser("admin");
  engine = await startTestWorker();
  await engine.send("notification.relay", {});
});
afterAll(async () => {
  await stopTestWorker();
  await http.stop();
  await smtp.stop();
});

async function appScope() {
  const app = await prisma().application.create({ data: { name: uniqueName("notify-app").toLowerCase() } });
  return app.id;
}

const deliveriesOf = (eventId: string) => prisma().notificationDelivery.findMany({ where: { eventId } });

describe("notification delivery", () => {
  it("delivers a signed webhook exactly once per event and subscription", async () => {
    const applicationId = await appScope();
    const secret = "s3cret-for-hmac-signing-0123456789";
    const channel = await createChannel(notifyManageDeps(), admin.username, {
      name: uniqueName("hook"),
      type: "webhook",
      url: http.url(`/hook/${applicationId}`),
      secret,
      enabled: true,
    });
    await createSubscription(prisma(), admin, { scopeType: "application", scopeId: applicationId, events: ["sync.failed"], channelId: channel.id });
    const eventId = await emitEvent(prisma(), {
      type: "sync.failed",
      applicationId,
      title: "Sync of demo/prod failed",
      body: "Deployment/web: invalid",
      dedupeKey: `t:${applicationId}`,
    });
    // The same event again (a retried job) records nothing new.
    expect(await emitEvent(prisma(), { type: "sync.failed", applicationId, title: "again", dedupeKey: `t:${applicationId}` })).toBeNull();
    const mine = () => http.received.filter((r) => r.path === `/hook/${applicationId}`);
    await waitFor(mine, (r) => r.length >= 1, 15_000, "the webhook");
    await new Promise((r) => setTimeout(r, 1500));
    expect(mine()).toHaveLength(1);
    const req = mine()[0]!;
    const expected = `sha256=${createHmac("sha256", secret).update(req.body).digest("hex")}`;
    expect(req.headers[SIGNATURE_HEADER.toLowerCase()]).toBe(expected);
    expect(req.headers[SIGNATURE_HEADER.toLowerCase()]).not.toBe(`sha256=${createHmac("sha256", "wrong").update(req.body).digest("hex")}`);
    const body = JSON.parse(req.body);
    expect(body).toMatchObject({ id: eventId, type: "sync.failed", title: "Sync of demo/prod failed", applicationId });
    const rows = await deliveriesOf(eventId!);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "delivered", attempts: 1, responseStatus: 200, idempotencyKey: `${eventId}:${rows[0]!.subscriptionId}` });
    expect(req.headers["x-tideline-delivery"]).toBe(rows[0]!.idempotencyKey);
  });

  it("two attempts racing for one delivery send it once", async () => {
    const applicationId = await appScope();
    const channel = await createChannel(notifyManageDeps(), admin.username, {
      name: uniqueName("race"),
      type: "webhook",
      url: http.url(`/race/${applicationId}`),
      enabled: true,
    });
    await createSubscription(prisma(), admin, { scopeType: "application", scopeId: applicationId, events: ["*"], channelId: channel.id });
    const eventId = await emitEvent(prisma(), { type: "image.updated", applicationId, title: "ghcr.io/x/web 1.2 -> 1.3" });
    const [row] = await deliveriesOf(eventId!);
    const outcomes = await Promise.allSettled([
      deliverNotification(notifyDeps(), row!.id, { attempt: 0 }),
      deliverNotification(notifyDeps(), row!.id, { attempt: 0 }),
      deliverNotification(notifyDeps(), row!.id, { attempt: 0 }),
    ]);
    await waitFor(
      () => prisma().notificationDelivery.findUniqueOrThrow({ where: { id: row!.id } }),
      (d) => d.status === "delivered",
      15_000,
      "delivered",
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(http.received.filter((r) => r.path === `/race/${applicationId}`)).toHaveLength(1);
    // One attempt sends; the others either find it being sent (and are retried later) or find it
    // delivered already, depending on timing: none sends again, and none reports anything else.
    for (const o of outcomes) {
      if (o.status === "rejected") expect(String(o.reason)).toContain("being sent by another attempt");
      else expect(o.value.status).toBe("delivered");
    }
  });

  it("retries with backoff after the receiver answers 500, then records the delivery", async () => {
    const applicationId = await appScope();
    const failing = await startHttpReceiver([500]);
    try {
      const channel = await createChannel(notifyManageDeps(), admin.username, {
        name: uniqueName("flaky"),
        type: "webhook",
        url: failing.url("/flaky"),
        enabled: true,
      });
      await createSubscription(prisma(), admin, { scopeType: "application", scopeId: applicationId, events: ["promotion.finished"], channelId: channel.id });
      const eventId = await emitEvent(prisma(), { type: "promotion.finished", applicationId, title: "Promotion into demo/prod succeeded" });
      const [row] = await deliveriesOf(eventId!);
      const retrying = await waitFor(
        () => prisma().notificationDelivery.findUniqueOrThrow({ where: { id: row!.id } }),
        (d) => d.attempts >= 1 && d.status !== "sending" && d.status !== "pending",
        15_000,
        "first attempt",
      );
      expect(retrying.status === "retrying" || retrying.status === "delivered").toBe(true);
      const done = await waitFor(
        () => prisma().notificationDelivery.findUniqueOrThrow({ where: { id: row!.id } }),
        (d) => d.status === "delivered",
        30_000,
        "delivered after retry",
      );
      expect(done.attempts).toBe(2);
      expect(failing.received).toHaveLength(2);
      expect(failing.received[0]!.headers["x-tideline-delivery"]).toBe(failing.received[1]!.headers["x-tideline-delivery"]);
      // Backoff: the retry came a moment later, not at once.
      expect(failing.received[1]!.at - failing.received[0]!.at).toBeGreaterThanOrEqual(500);
      const listed = (await listDeliveries(prisma(), { limit: 200 })).deliveries.find((d) => d.id === row!.id);
      expect(listed).toMatchObject({ status: "delivered", attempts: 2 });
    } finally {
      await failing.stop();
    }
  });

  it("sends Slack's incoming-webhook payload to the hook URL, shown masked", async () => {
    const applicationId = await appScope();
    const hookPath = `/services/T0001/B0002/${uniqueName("secretpart")}`;
    const channel = await createChannel(notifyManageDeps(), admin.username, {
      name: uniqueName("slack"),
      type: "slack",
      url: http.url(hookPath),
      enabled: true,
    });
    expect(channel.url).toBe(maskUrl(http.url(hookPath)));
    expect(channel.url).not.toContain("secretpart");
    expect(JSON.stringify(await listChannels(prisma()))).not.toContain("secretpart");
    await createSubscription(prisma(), admin, { scopeType: "application", scopeId: applicationId, events: ["health.degraded"], channelId: channel.id });
    await emitEvent(prisma(), { type: "health.degraded", applicationId, title: "demo/prod is Degraded", link: "/environments/x" });
    const [req] = await waitFor(
      () => http.received.filter((r) => r.path === hookPath),
      (r) => r.length === 1,
      15_000,
      "the Slack hook",
    );
    const payload = JSON.parse(req!.body);
    expect(payload.text).toBe("Health Degraded: demo/prod is Degraded");
    expect(payload.blocks[0]).toMatchObject({ type: "section", text: { type: "mrkdwn" } });
    expect(payload.blocks[0].text.text).toContain("*Health Degraded*");
    expect(req!.headers["content-type"]).toContain("application/json");
  });

  it("e-mails through the configured SMTP server", async () => {
    const applicationId = await appScope();
    const channel = await createChannel(notifyManageDeps(), admin.username, {
      name: uniqueName("mail"),
      type: "email",
      emailTo: ["oncall@example.test"],
      enabled: true,
    });
    await createSubscription(prisma(), admin, { scopeType: "application", scopeId: applicationId, events: ["rollback.done"], channelId: channel.id });
    const title = `demo/prod rolled back ${uniqueName("r")}`;
    const eventId = await emitEvent(prisma(), { type: "rollback.done", applicationId, title });
    const mail = await waitFor(
      () => smtp.mails.filter((m) => m.data.includes(title)),
      (m) => m.length >= 1,
      15_000,
      "the e-mail",
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(smtp.mails.filter((m) => m.data.includes(title))).toHaveLength(1);
    expect(mail[0]!.to).toEqual(["oncall@example.test"]);
    expect(mail[0]!.from).toBe("tideline@example.test");
    expect(mail[0]!.data).toContain("Subject: [Tideline] Rollback done:");
    expect((await deliveriesOf(eventId!))[0]).toMatchObject({ status: "delivered", attempts: 1 });
  });

  it("refuses destinations the operator did not allow, naming the host", async () => {
    await expect(
      createChannel(notifyManageDeps(), admin.username, {
        name: uniqueName("evil"),
        type: "webhook",
        url: "http://169.254.169.254/latest/meta-data",
        enabled: true,
      }),
    ).rejects.toThrow(/169\.254\.169\.254 is not an address Tideline may call.*TIDELINE_OUTBOUND_HOSTS/);
    await expect(
      createChannel(notifyManageDeps(), admin.username, { name: uniqueName("file"), type: "webhook", url: "file:///etc/passwd", enabled: true }),
    ).rejects.toThrow(/only http\(s\) URLs/);
  });

  it("masks credentials in URLs and errors", () => {
    expect(maskUrl("https://bob:hunter2@hooks.example.com/x?token=abc")).toBe("https://***@hooks.example.com/x?token=***");
    expect(maskUrl("https://hooks.slack.com/services/T1/B2/XYZSECRET")).toBe("https://hooks.slack.com/services/T1/B2/***");
    const url = "https://bob:hunter2@hooks.example.com/x?token=abc";
    const masked = maskSecretsIn(`fetch failed for ${url}; retry http://a:b@c.example/`, [url]);
    expect(masked).not.toContain("hunter2");
    expect(masked).not.toContain("abc");
    expect(masked).not.toContain("a:b@");
  });

  it("puts events in the in-app list of subscribers and named recipients, with an unread count", async () => {
    const applicationId = await appScope();
    const viewer = await makeUser("viewer");
    const approver = await makeUser("approver");
    await createSubscription(prisma(), viewer, { scopeType: "application", scopeId: applicationId, events: ["promotion.finished"] });
    await emitEvent(prisma(), {
      type: "promotion.awaiting_approval",
      applicationId,
      title: "Promotion into demo/prod awaits your approval",
      recipients: [approver.id],
    });
    await emitEvent(prisma(), { type: "promotion.finished", applicationId, title: "Promotion into demo/prod succeeded" });
    const approverInbox = await listInbox(prisma(), approver.id, { limit: 30 });
    expect(approverInbox.unread).toBe(1);
    expect(approverInbox.notifications[0]).toMatchObject({ type: "promotion.awaiting_approval", read: false });
    const viewerInbox = await listInbox(prisma(), viewer.id, { limit: 30 });
    expect(viewerInbox.notifications.map((n) => n.type)).toEqual(["promotion.finished"]);
    expect((await markRead(prisma(), approver.id, { all: true })).unread).toBe(0);
    expect((await listInbox(prisma(), approver.id, { limit: 30 })).notifications[0]!.read).toBe(true);
  });
});

// Webhook delivery records: replays are refused by (source, delivery id), and old records are
// pruned so unauthenticated senders cannot grow the table forever.
import { describe, expect, it } from "vitest";
import { pruneDeliveries, recordDelivery } from "../../lib/webhooks/deliveries";
import { prisma, uniqueName } from "../helpers/db";

describe("webhook deliveries", () => {
  it("refuses a second delivery with the same id from the same source", async () => {
    const id = uniqueName("delivery");
    expect(await recordDelivery(prisma(), { source: "github", deliveryId: id, outcome: "accepted" })).toBe(true);
    expect(await recordDelivery(prisma(), { source: "github", deliveryId: id, outcome: "accepted" })).toBe(false);
    expect(await recordDelivery(prisma(), { source: "gitlab", deliveryId: id, outcome: "accepted" })).toBe(true);
  });

  it("prunes deliveries older than the retention and keeps recent ones", async () => {
    const old = await prisma().webhookDelivery.create({
      data: { source: "generic", deliveryId: uniqueName("old"), outcome: "rejected", receivedAt: new Date(Date.now() - 31 * 86_400_000) },
    });
    const recent = await prisma().webhookDelivery.create({ data: { source: "generic", deliveryId: uniqueName("new"), outcome: "rejected" } });
    expect(await pruneDeliveries(prisma(), 30)).toBeGreaterThanOrEqual(1);
    expect(await prisma().webhookDelivery.findUnique({ where: { id: old.id } })).toBeNull();
    expect(await prisma().webhookDelivery.findUnique({ where: { id: recent.id } })).not.toBeNull();
  });
});

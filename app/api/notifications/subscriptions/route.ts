// Subscriptions: channel subscriptions (admins) and my own in-app ones (anyone signed in).
import { apiRoute } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { createSubscription, createSubscriptionInput, listSubscriptions } from "@/lib/notifications/manage";

export const GET = apiRoute({ action: "notification.read" }, async ({ user }) => listSubscriptions(db(), user));

export const POST = apiRoute({ action: "notification.read", body: createSubscriptionInput }, async ({ body, user }) => {
  const subscription = await createSubscription(db(), user, body);
  await recordAudit(db(), {
    actor: user,
    action: "notification.subscription.create",
    targetType: "notificationSubscription",
    targetId: subscription.id,
    details: { scopeType: body.scopeType, scopeId: body.scopeId, events: body.events, channelId: body.channelId ?? null },
  });
  return Response.json({ subscription }, { status: 201 });
});

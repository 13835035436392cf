// Notification channels (Slack, signed webhook, e-mail): admins list and add them; URLs are shown masked.
import { apiRoute } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { createChannel, createChannelInput, listChannels } from "@/lib/notifications/manage";
import { notifyManageDeps } from "@/server/notify-root";

export const GET = apiRoute({ action: "notification.manage" }, async () => listChannels(db()));

export const POST = apiRoute({ action: "notification.manage", body: createChannelInput }, async ({ body, user }) => {
  const channel = await createChannel(notifyManageDeps(), user.username, body);
  await recordAudit(db(), {
    actor: user,
    action: "notification.channel.create",
    targetType: "notificationChannel",
    targetId: channel.id,
    details: { name: channel.name, type: channel.type, url: channel.url, emailTo: channel.emailTo },
  });
  return Response.json({ channel }, { status: 201 });
});

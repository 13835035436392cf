import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { deleteChannel, updateChannel, updateChannelInput } from "@/lib/notifications/manage";
import { notifyManageDeps } from "@/server/notify-root";

const params = z.object({ id: z.string().min(1) });

export const PATCH = apiRoute({ action: "notification.manage", params, body: updateChannelInput }, async ({ params, body, user }) => {
  const { before, after } = await updateChannel(notifyManageDeps(), params.id, body);
  await recordAudit(db(), {
    actor: user,
    action: "notification.channel.update",
    targetType: "notificationChannel",
    targetId: params.id,
    details: { before, after, secretChanged: Boolean(body.secret) },
  });
  return { channel: after };
});

export const DELETE = apiRoute({ action: "notification.manage", params }, async ({ params, user }) => {
  const before = await deleteChannel(db(), params.id);
  await recordAudit(db(), { actor: user, action: "notification.channel.delete", targetType: "notificationChannel", targetId: params.id, details: { before } });
  return { ok: true };
});

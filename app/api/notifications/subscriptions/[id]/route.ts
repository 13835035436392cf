import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { deleteSubscription } from "@/lib/notifications/manage";

const params = z.object({ id: z.string().min(1) });

/** My own subscription, or (admins) any. */
export const DELETE = apiRoute({ action: "notification.read", params }, async ({ params, user }) => {
  const before = await deleteSubscription(db(), user, params.id);
  await recordAudit(db(), {
    actor: user,
    action: "notification.subscription.delete",
    targetType: "notificationSubscription",
    targetId: params.id,
    details: { before },
  });
  return { ok: true };
});

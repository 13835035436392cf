// My in-app notifications (the bell) with the unread count.
import { apiRoute } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { inboxQuery, listInbox } from "@/lib/notifications/inbox";

export const GET = apiRoute({ action: "notification.read", query: inboxQuery }, async ({ query, user }) => listInbox(db(), user.id, query));

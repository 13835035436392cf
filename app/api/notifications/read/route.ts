// Marks some (ids) or all of my notifications read.
import { apiRoute } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { markRead, markReadInput } from "@/lib/notifications/inbox";

export const POST = apiRoute({ action: "notification.read", body: markReadInput }, async ({ body, user }) => markRead(db(), user.id, body));

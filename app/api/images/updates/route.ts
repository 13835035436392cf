import { apiRoute } from "@/lib/api/handler";
import { listImageUpdates, listUpdatesQuery } from "@/lib/images/automation-updates";
import { db } from "@/lib/db";

export const GET = apiRoute({ action: "image.read", query: listUpdatesQuery }, async ({ query }) => ({ items: await listImageUpdates(db(), query) }));

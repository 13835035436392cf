// Every event -> channel delivery with status, attempts and the last error (credentials masked).
import { apiRoute } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { deliveriesQuery, listDeliveries } from "@/lib/notifications/delivery-list";

export const GET = apiRoute({ action: "notification.manage", query: deliveriesQuery }, async ({ query }) => listDeliveries(db(), query));

// Recent webhook deliveries with their outcome and payload summary (filters: source, outcome,
// repositoryId), for the Webhooks page and for finding out why a push did not arrive.
import { apiRoute } from "@/lib/api/handler";
import { deliveriesPage, deliveriesQuery } from "@/lib/webhooks/delivery-list";
import { db } from "@/lib/db";

export const GET = apiRoute({ action: "webhook.read", query: deliveriesQuery }, async ({ query }) => deliveriesPage(db(), query));

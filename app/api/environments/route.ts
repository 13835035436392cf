import { apiRoute } from "@/lib/api/handler";
import { environmentOverview } from "@/lib/environments/manage-environments";
import { overviewQuery } from "@/lib/environments/schemas";
import { db } from "@/lib/db";

export const GET = apiRoute({ action: "application.read", query: overviewQuery }, async ({ query }) => environmentOverview(db(), query));

import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { impactOfChange } from "@/lib/changes/api";
import { reconcileDeps } from "@/server/root";

export const GET = apiRoute({ action: "change.read", params: z.object({ id: z.string().min(1).max(50) }) }, async ({ params }) =>
  impactOfChange(reconcileDeps(), params.id),
);

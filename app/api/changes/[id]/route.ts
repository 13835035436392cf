import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { changeDetail } from "@/lib/changes/api";
import { changeDeps } from "@/server/root";

export const GET = apiRoute({ action: "change.read", params: z.object({ id: z.string().min(1).max(50) }) }, async ({ params }) => ({
  change: await changeDetail(changeDeps(), params.id),
}));

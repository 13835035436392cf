import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { closeChange } from "@/lib/changes/review-change";
import { recordAudit } from "@/lib/audit/record";
import { changeDeps } from "@/server/root";
import { db } from "@/lib/db";

export const POST = apiRoute({ action: "change.propose", params: z.object({ id: z.string().min(1).max(50) }) }, async ({ params, user }) => {
  const change = await closeChange(changeDeps(), user, params.id);
  await recordAudit(db(), { actor: user, action: "change.close", targetType: "change_request", targetId: params.id, details: { number: change.number } });
  return { change };
});

import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { mergeChange } from "@/lib/changes/merge-change";
import { mergeInput } from "@/lib/changes/schemas";
import { recordAudit } from "@/lib/audit/record";
import { changeDeps } from "@/server/root";
import { db } from "@/lib/db";

export const POST = apiRoute(
  { action: "change.merge", params: z.object({ id: z.string().min(1).max(50) }), body: mergeInput },
  async ({ params, body, user }) => {
    const change = await mergeChange(changeDeps(), user, params.id, body);
    await recordAudit(db(), {
      actor: user,
      action: "change.merge",
      targetType: "change_request",
      targetId: params.id,
      details: { number: change.number, method: body.method, mergedSha: change.mergedSha },
    });
    return { change };
  },
);

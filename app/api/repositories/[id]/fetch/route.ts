import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { fetchAndReconcile } from "@/lib/repositories/background";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";

const params = z.object({ id: z.string().min(1) });

/** "Fetch now": waits for the fetch so the caller sees its outcome (or that one is already running). */
export const POST = apiRoute({ action: "repository.fetch", params }, async ({ params, user }) => {
  const outcome = await fetchAndReconcile(params.id);
  await recordAudit(db(), { actor: user, action: "repository.fetch", targetType: "repository", targetId: params.id, details: { status: outcome.status } });
  return outcome.status === "skipped" ? Response.json(outcome, { status: 202 }) : outcome;
});

import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { previewSync, startSync } from "@/lib/reconcile/manual-sync";
import { recordAudit } from "@/lib/audit/record";
import { reconcileDeps } from "@/lib/services";
import { db } from "@/lib/db";

const params = z.object({ id: z.string().min(1) });
const body = z.object({
  dryRun: z.boolean().default(false),
  objects: z.array(z.string().max(800)).max(5000).optional(),
  expectedRevision: z.string().regex(/^[0-9a-f]{40}$/).optional(),
});

/** dryRun: the preview (what would change); otherwise starts the sync and answers with its run id. */
export const POST = apiRoute({ action: "environment.sync", scope: (prisma, p) => applicationOf.environment(prisma, p.id), params, body }, async ({ params, body, user }) => {
  if (body.dryRun) return previewSync(reconcileDeps(), params.id);
  const { runId } = await startSync(reconcileDeps(), params.id, { actorName: user.username, only: body.objects, expectedRevision: body.expectedRevision });
  await recordAudit(db(), { actor: user, action: "environment.sync", targetType: "environment", targetId: params.id, details: { runId, objects: body.objects?.length ?? "all" } });
  return Response.json({ runId }, { status: 202 });
});

import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { previewSync, requestSync } from "@/lib/reconcile/manual-sync";
import { recordAudit } from "@/lib/audit/record";
import { reconcileDeps } from "@/server/root";
import { db } from "@/lib/db";
import { freezeOverrideInput } from "@/lib/freeze/manage";

const params = z.object({ id: z.string().min(1) });
const body = z.object({
  dryRun: z.boolean().default(false),
  objects: z.array(z.string().max(800)).max(5000).optional(),
  expectedRevision: z
    .string()
    .regex(/^[0-9a-f]{40}$/)
    .optional(),
  prune: z.boolean().optional(),
  freezeOverride: freezeOverrideInput.optional(),
});

/** dryRun: the preview (what would change); otherwise queues the sync and answers at once with its run id (202). */
export const POST = apiRoute(
  { action: "environment.sync", scope: (prisma, p) => applicationOf.environment(prisma, p.id), params, body },
  async ({ params, body, user }) => {
    if (body.dryRun) {
      const preview = await previewSync(reconcileDeps(), params.id);
      return { ...preview, prune: body.prune ?? preview.prune };
    }
    const { runId } = await requestSync(reconcileDeps(), params.id, {
      actorName: user.username,
      only: body.objects,
      expectedRevision: body.expectedRevision,
      prune: body.prune,
      freezeOverride: body.freezeOverride ? { actor: user, reason: body.freezeOverride.reason } : null,
    });
    await recordAudit(db(), {
      actor: user,
      action: "environment.sync",
      targetType: "environment",
      targetId: params.id,
      details: { runId, objects: body.objects?.length ?? "all", ...(body.prune !== undefined ? { prune: body.prune } : {}) },
    });
    return Response.json({ runId }, { status: 202 });
  },
);

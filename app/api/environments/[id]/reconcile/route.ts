import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { reconcileEnvironment } from "@/lib/reconcile/reconcile-environment";
import { reconcileDeps } from "@/lib/services";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";

/** "Refresh": re-render and re-compare now (auto-sync still applies per the environment's policy). */
export const POST = apiRoute({ action: "environment.sync", scope: (prisma, p) => applicationOf.environment(prisma, p.id), params: z.object({ id: z.string().min(1) }) }, async ({ params, user }) => {
  const out = await reconcileEnvironment(reconcileDeps(), params.id);
  await recordAudit(db(), { actor: user, action: "environment.reconcile", targetType: "environment", targetId: params.id, details: out.ran ? { syncStatus: out.syncStatus, synced: out.synced?.runId ?? null } : { ran: false } });
  if (!out.ran) return Response.json({ ran: false, message: "A reconcile is already running" }, { status: 202 });
  return { ran: true, revision: out.revision, syncStatus: out.syncStatus, health: out.health, synced: out.synced };
});

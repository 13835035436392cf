import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { reconcileEnvironment } from "@/lib/reconcile/reconcile-environment";
import { reconcileDeps } from "@/lib/services";

/** "Refresh": re-render and re-compare now (auto-sync still applies per the environment's policy). */
export const POST = apiRoute({ action: "environment.sync", scope: (prisma, p) => applicationOf.environment(prisma, p.id), params: z.object({ id: z.string().min(1) }) }, async ({ params }) => {
  const out = await reconcileEnvironment(reconcileDeps(), params.id);
  if (!out.ran) return Response.json({ ran: false, message: "A reconcile is already running" }, { status: 202 });
  return { ran: true, revision: out.revision, syncStatus: out.syncStatus, health: out.health, synced: out.synced };
});

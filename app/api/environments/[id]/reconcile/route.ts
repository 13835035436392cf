import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { recordAudit } from "@/lib/audit/record";
import { notFound } from "@/lib/errors";
import { db } from "@/lib/db";
import { jobs } from "@/server/root";

/** "Refresh": queues a re-render and re-compare now (auto-sync still applies per the environment's policy). */
export const POST = apiRoute(
  { action: "environment.sync", scope: (prisma, p) => applicationOf.environment(prisma, p.id), params: z.object({ id: z.string().min(1) }) },
  async ({ params, user }) => {
    const env = await db().environment.findUnique({ where: { id: params.id }, select: { id: true } });
    if (!env) throw notFound(`Environment ${params.id} does not exist`);
    const jobId = await jobs().send("environment.work", { environmentId: params.id, reason: `refresh by ${user.username}` });
    await recordAudit(db(), { actor: user, action: "environment.reconcile", targetType: "environment", targetId: params.id, details: { jobId } });
    return Response.json({ status: "queued", jobId }, { status: 202 });
  },
);

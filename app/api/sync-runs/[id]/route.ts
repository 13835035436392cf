import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { notFound } from "@/lib/errors";
import { db } from "@/lib/db";

export const GET = apiRoute(
  { action: "application.read", scope: (prisma, p) => applicationOf.syncRun(prisma, p.id), params: z.object({ id: z.string().min(1) }) },
  async ({ params }) => {
    const run = await db().syncRun.findUnique({ where: { id: params.id } });
    if (!run) throw notFound(`Sync run ${params.id} does not exist`);
    return { run: { ...run, startedAt: run.startedAt.toISOString(), finishedAt: run.finishedAt?.toISOString() ?? null } };
  },
);

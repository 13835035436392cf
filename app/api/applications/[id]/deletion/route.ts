import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { deletionPreview } from "@/lib/environments/delete-environment";
import { notFound } from "@/lib/errors";
import { db } from "@/lib/db";
import { reconcileDeps } from "@/server/root";

/** What deleting the application with prune would delete, per environment. */
export const GET = apiRoute(
  { action: "application.read", scope: (prisma, p) => applicationOf.application(prisma, p.id), params: z.object({ id: z.string().min(1) }) },
  async ({ params }) => {
    const app = await db().application.findUnique({ where: { id: params.id }, include: { environments: { select: { id: true } } } });
    if (!app) throw notFound(`Application ${params.id} does not exist`);
    const environments = await deletionPreview(
      reconcileDeps(),
      app.environments.map((e) => e.id),
    );
    return { application: { id: app.id, name: app.name }, liveObjects: environments.reduce((n, e) => n + e.liveObjects, 0), environments };
  },
);

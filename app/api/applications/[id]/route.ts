import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { publicEnvironment } from "@/lib/environments/manage-environments";
import { notFound } from "@/lib/errors";
import { db } from "@/lib/db";

export const GET = apiRoute({ action: "application.read", scope: (prisma, p) => applicationOf.application(prisma, p.id), params: z.object({ id: z.string().min(1) }) }, async ({ params }) => {
  const app = await db().application.findUnique({
    where: { id: params.id },
    include: { environments: { orderBy: { position: "asc" }, include: { cluster: { select: { name: true } }, repository: { select: { name: true } } } } },
  });
  if (!app) throw notFound(`Application ${params.id} does not exist`);
  return { application: { id: app.id, name: app.name, description: app.description }, environments: app.environments.map(publicEnvironment) };
});

import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { publicEnvironment } from "@/lib/environments/manage-environments";
import { notFound } from "@/lib/errors";
import { deleteQuery, updateApplicationInput } from "@/lib/environments/schemas";
import { deleteApplication } from "@/lib/environments/delete-environment";
import { jobs, reconcileDeps } from "@/server/root";
import { moveApplication } from "@/lib/projects/manage-projects";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";

export const GET = apiRoute(
  { action: "application.read", scope: (prisma, p) => applicationOf.application(prisma, p.id), params: z.object({ id: z.string().min(1) }) },
  async ({ params }) => {
    const app = await db().application.findUnique({
      where: { id: params.id },
      include: {
        project: { select: { id: true, name: true } },
        environments: { orderBy: { position: "asc" }, include: { cluster: { select: { name: true } }, repository: { select: { name: true } } } },
      },
    });
    if (!app) throw notFound(`Application ${params.id} does not exist`);
    return {
      application: { id: app.id, name: app.name, description: app.description, project: app.project },
      environments: app.environments.map(publicEnvironment),
    };
  },
);

// Moving an application between projects changes what it may deploy: global admins only (not a project's admins).
export const PATCH = apiRoute(
  { action: "application.manage", params: z.object({ id: z.string().min(1) }), body: updateApplicationInput },
  async ({ params, body, user }) => {
    const before = await db().application.findUnique({ where: { id: params.id } });
    if (!before) throw notFound(`Application ${params.id} does not exist`);
    const moved = body.projectId && body.projectId !== before.projectId ? await moveApplication(db(), params.id, body.projectId) : null;
    if (body.description !== undefined) await db().application.update({ where: { id: params.id }, data: { description: body.description } });
    await recordAudit(db(), {
      actor: user,
      action: moved ? "application.move" : "application.update",
      targetType: "application",
      targetId: params.id,
      details: {
        name: before.name,
        ...(moved ? { fromProject: moved.from.name, toProject: moved.to.name } : {}),
        ...(body.description !== undefined ? { description: body.description } : {}),
      },
    });
    const app = await db().application.findUniqueOrThrow({ where: { id: params.id }, include: { project: { select: { id: true, name: true } } } });
    return { application: { id: app.id, name: app.name, description: app.description, project: app.project } };
  },
);

/** Deletes the application and its environments (global admins): ?prune=true also deletes their labelled live objects (as jobs). */
export const DELETE = apiRoute(
  { action: "application.manage", params: z.object({ id: z.string().min(1) }), query: deleteQuery },
  async ({ params, query, user }) => {
    const result = await deleteApplication({ ...reconcileDeps(), jobs: jobs() }, params.id, { prune: query.prune, actorName: user.username });
    await recordAudit(db(), {
      actor: user,
      action: "application.delete",
      targetType: "application",
      targetId: params.id,
      details: { name: result.application.name, environments: result.environments, liveObjects: query.prune ? "pruned" : "kept" },
    });
    return Response.json(result, { status: query.prune ? 202 : 200 });
  },
);

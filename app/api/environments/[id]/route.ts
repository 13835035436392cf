import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { getEnvironment } from "@/lib/environments/environment-detail";
import { publicEnvironment, updateEnvironment } from "@/lib/environments/manage-environments";
import { deleteEnvironment } from "@/lib/environments/delete-environment";
import { deleteQuery, updateEnvironmentInput } from "@/lib/environments/schemas";
import { recordAudit } from "@/lib/audit/record";
import { jobs, reconcileDeps } from "@/server/root";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

const params = z.object({ id: z.string().min(1) });

export const GET = apiRoute({ action: "application.read", scope: (prisma, p) => applicationOf.environment(prisma, p.id), params }, async ({ params }) =>
  getEnvironment(db(), params.id),
);

export const PATCH = apiRoute(
  { action: "environment.configure", scope: (prisma, p) => applicationOf.environment(prisma, p.id), params, body: updateEnvironmentInput },
  async ({ params, body, user }) => {
    const before = await getEnvironment(db(), params.id);
    const updated = await updateEnvironment(db(), env().mirrorsDir, params.id, body);
    // "before" holds exactly the settings this request changed, as they were.
    const previous = Object.fromEntries(Object.keys(body).map((key) => [key, before.environment[key as keyof typeof before.environment]]));
    await recordAudit(db(), {
      actor: user,
      action: "environment.configure",
      targetType: "environment",
      targetId: params.id,
      details: { before: previous, after: body } as never,
    });
    await jobs().send("environment.work", { environmentId: params.id, reason: "settings changed" });
    return { environment: publicEnvironment(updated) };
  },
);

/** ?prune=false: forget the environment and keep its live objects; ?prune=true: a job deletes its labelled objects, then it. */
export const DELETE = apiRoute(
  { action: "environment.configure", scope: (prisma, p) => applicationOf.environment(prisma, p.id), params, query: deleteQuery },
  async ({ params, query, user }) => {
    const before = await db().environment.findUnique({ where: { id: params.id }, include: { application: { select: { name: true } } } });
    const result = await deleteEnvironment({ ...reconcileDeps(), jobs: jobs() }, params.id, { prune: query.prune, actorName: user.username });
    await recordAudit(db(), {
      actor: user,
      action: "environment.delete",
      targetType: "environment",
      targetId: params.id,
      details: { application: before?.application.name, name: before?.name, namespace: before?.namespace, liveObjects: query.prune ? "pruned" : "kept" },
    });
    return Response.json(result, { status: query.prune ? 202 : 200 });
  },
);

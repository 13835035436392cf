import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { deleteProject, getProject, updateProject } from "@/lib/projects/manage-projects";
import { updateProjectInput } from "@/lib/projects/schemas";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";

const params = z.object({ id: z.string().min(1) });

export const GET = apiRoute({ action: "project.read", params }, async ({ params }) => ({ project: await getProject(db(), params.id) }));

// Only global admins change a project's rules: they are the boundary the project's own members work within.
export const PATCH = apiRoute({ action: "project.manage", params, body: updateProjectInput }, async ({ params, body, user }) => {
  const { before, after } = await updateProject(db(), params.id, body);
  const previous = Object.fromEntries(Object.keys(body).map((k) => [k, before[k as keyof typeof before]]));
  await recordAudit(db(), {
    actor: user,
    action: "project.update",
    targetType: "project",
    targetId: params.id,
    details: { name: after.name, before: previous, after: body } as never,
  });
  return { project: after };
});

export const DELETE = apiRoute({ action: "project.manage", params }, async ({ params, user }) => {
  const deleted = await deleteProject(db(), params.id);
  await recordAudit(db(), { actor: user, action: "project.delete", targetType: "project", targetId: params.id, details: { name: deleted.name } });
  return { ok: true };
});

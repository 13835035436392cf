import { apiRoute } from "@/lib/api/handler";
import { createProject, listProjects } from "@/lib/projects/manage-projects";
import { createProjectInput } from "@/lib/projects/schemas";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";

export const GET = apiRoute({ action: "project.read" }, async () => ({ items: await listProjects(db()) }));

export const POST = apiRoute({ action: "project.manage", body: createProjectInput }, async ({ body, user }) => {
  const project = await createProject(db(), body);
  await recordAudit(db(), { actor: user, action: "project.create", targetType: "project", targetId: project.id, details: body as never });
  return Response.json({ project }, { status: 201 });
});

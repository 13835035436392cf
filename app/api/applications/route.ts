import { apiRoute } from "@/lib/api/handler";
import { createApplication } from "@/lib/environments/manage-environments";
import { createApplicationInput } from "@/lib/environments/schemas";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";

export const GET = apiRoute({ action: "application.read" }, async () => {
  const apps = await db().application.findMany({
    orderBy: { name: "asc" },
    include: {
      project: { select: { id: true, name: true } },
      environments: { orderBy: { position: "asc" }, select: { id: true, name: true, syncStatus: true, health: true } },
    },
  });
  return { items: apps.map((a) => ({ ...a, createdAt: a.createdAt.toISOString() })) };
});

export const POST = apiRoute({ action: "application.manage", body: createApplicationInput }, async ({ body, user }) => {
  const app = await createApplication(db(), body);
  await recordAudit(db(), {
    actor: user,
    action: "application.create",
    targetType: "application",
    targetId: app.id,
    details: { name: app.name, projectId: app.projectId },
  });
  return Response.json({ application: app }, { status: 201 });
});

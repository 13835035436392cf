import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { createEnvironment, publicEnvironment } from "@/lib/environments/manage-environments";
import { createEnvironmentInput } from "@/lib/environments/schemas";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { jobs } from "@/server/root";

export const POST = apiRoute(
  {
    action: "application.manage",
    scope: (prisma, p) => applicationOf.application(prisma, p.id),
    params: z.object({ id: z.string().min(1) }),
    body: createEnvironmentInput,
  },
  async ({ params, body, user }) => {
    const created = await createEnvironment(db(), env().mirrorsDir, params.id, body);
    await recordAudit(db(), {
      actor: user,
      action: "environment.create",
      targetType: "environment",
      targetId: created.id,
      details: { name: created.name, path: created.path, namespace: created.namespace },
    });
    await jobs().send("environment.work", { environmentId: created.id, reason: "environment created" });
    return Response.json({ environment: publicEnvironment(created) }, { status: 201 });
  },
);

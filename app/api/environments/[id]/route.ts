import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { getEnvironment } from "@/lib/environments/environment-detail";
import { publicEnvironment, updateEnvironmentSettings } from "@/lib/environments/manage-environments";
import { environmentSettings } from "@/lib/environments/schemas";
import { recordAudit } from "@/lib/audit/record";
import { reconciler } from "@/lib/reconcile/process-reconciler";
import { db } from "@/lib/db";

const params = z.object({ id: z.string().min(1) });

export const GET = apiRoute({ action: "application.read", scope: (prisma, p) => applicationOf.environment(prisma, p.id), params }, async ({ params }) => getEnvironment(db(), params.id));

export const PATCH = apiRoute({ action: "environment.configure", scope: (prisma, p) => applicationOf.environment(prisma, p.id), params, body: environmentSettings }, async ({ params, body, user }) => {
  const before = await getEnvironment(db(), params.id);
  const updated = await updateEnvironmentSettings(db(), params.id, body);
  // "before" holds exactly the settings this request changed, as they were.
  const previous = Object.fromEntries(Object.keys(body).map((key) => [key, before.environment[key as keyof typeof before.environment]]));
  await recordAudit(db(), { actor: user, action: "environment.configure", targetType: "environment", targetId: params.id, details: { before: previous, after: body } as never });
  reconciler().schedule(params.id, 0);
  return { environment: publicEnvironment(updated) };
});

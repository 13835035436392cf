import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { updateUser } from "@/lib/users/manage-users";
import { ROLES } from "@/lib/auth/roles";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";

const body = z.object({ role: z.enum(ROLES).optional(), disabled: z.boolean().optional() });

export const PATCH = apiRoute({ action: "user.manage", params: z.object({ id: z.string().min(1) }), body }, async ({ params, body, user }) => {
  const updated = await updateUser(db(), params.id, body, user.id);
  await recordAudit(db(), { actor: user, action: "user.update", targetType: "user", targetId: params.id, details: body });
  return { user: updated };
});

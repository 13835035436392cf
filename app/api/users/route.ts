import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { createUser, listUsers } from "@/lib/users/manage-users";
import { ROLES } from "@/lib/auth/roles";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";

const body = z.object({
  username: z
    .string()
    .trim()
    .min(2)
    .max(64)
    .regex(/^[a-zA-Z0-9._-]+$/, "Username may contain letters, digits, '.', '_' and '-'"),
  password: z.string().min(1).max(256),
  role: z.enum(ROLES),
  displayName: z.string().max(100).optional().nullable(),
});

export const GET = apiRoute({ action: "user.read" }, async () => ({ items: await listUsers(db()) }));

export const POST = apiRoute({ action: "user.manage", body }, async ({ body, user }) => {
  const created = await createUser(db(), body);
  await recordAudit(db(), {
    actor: user,
    action: "user.create",
    targetType: "user",
    targetId: created.id,
    details: { username: created.username, role: created.role },
  });
  return Response.json({ user: created }, { status: 201 });
});

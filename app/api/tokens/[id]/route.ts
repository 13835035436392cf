import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { revokeApiToken } from "@/lib/auth/api-tokens";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";

export const DELETE = apiRoute({ action: "authenticated", params: z.object({ id: z.string().min(1) }) }, async ({ params, user }) => {
  const token = await revokeApiToken(db(), user.id, params.id);
  await recordAudit(db(), { actor: user, action: "token.revoke", targetType: "token", targetId: token.id, details: { name: token.name } });
  return { token };
});

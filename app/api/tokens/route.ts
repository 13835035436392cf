import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { createApiToken, listApiTokens } from "@/lib/auth/api-tokens";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { db } from "@/lib/db";

const body = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.string().max(64)).min(1).max(50),
  expiresInDays: z.number().int().min(1).max(365).default(30),
});

export const GET = apiRoute({ action: "authenticated" }, async ({ user }) => ({ items: await listApiTokens(db(), user.id) }));

export const POST = apiRoute({ action: "authenticated", body }, async ({ body, user }) => {
  // A token cannot mint tokens: creating one needs a signed-in person.
  if (user.sessionId.startsWith("token:")) throw new AppError("forbidden", "API tokens cannot create other tokens; sign in to create one");
  const created = await createApiToken(db(), user, body);
  await recordAudit(db(), {
    actor: user,
    action: "token.create",
    targetType: "token",
    targetId: created.apiToken.id,
    details: { name: body.name, scopes: body.scopes, expiresAt: created.apiToken.expiresAt },
  });
  return Response.json(created, { status: 201 });
});

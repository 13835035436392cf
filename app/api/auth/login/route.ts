import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { login } from "@/lib/auth/login";
import { sessionCookieHeader } from "@/lib/auth/cookie";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

const body = z.object({ username: z.string().min(1, "Username is required").max(100), password: z.string().min(1, "Password is required").max(256) });

export const POST = apiRoute({ action: "public", body }, async ({ req, body }) => {
  const { user, token, expiresAt } = await login(db(), body.username, body.password, env().TIDELINE_SESSION_TTL_HOURS);
  return Response.json(
    { user: { id: user.id, username: user.username, role: user.role } },
    { headers: { "Set-Cookie": sessionCookieHeader(req, token, expiresAt) } },
  );
});

import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { login } from "@/lib/auth/login";
import { sessionCookieHeader } from "@/lib/auth/cookie";
import { AppError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

const body = z.object({ username: z.string().min(1, "Username is required").max(100), password: z.string().min(1, "Password is required").max(256) });

export const POST = apiRoute({ action: "public", body }, async ({ req, body }) => {
  const fromHtmlForm = req.headers.get("content-type")?.startsWith("application/x-www-form-urlencoded");
  try {
    const { user, token, expiresAt } = await login(db(), body.username, body.password, env().TIDELINE_SESSION_TTL_HOURS);
    await recordAudit(db(), { actor: user, action: "auth.login", targetType: "user", targetId: user.id, details: { method: "password" } });
    const cookie = { "Set-Cookie": sessionCookieHeader(req, token, expiresAt) };
    if (fromHtmlForm) return new Response(null, { status: 303, headers: { ...cookie, Location: "/" } });
    return Response.json({ user: { id: user.id, username: user.username, role: user.role } }, { headers: cookie });
  } catch (error) {
    // Failed attempts are audited by username only (never the password).
    if (error instanceof AppError) await recordAudit(db(), { actor: null, action: "auth.login_failed", targetType: "user", details: { username: body.username.slice(0, 100), reason: error.code } });
    if (fromHtmlForm && error instanceof AppError) return new Response(null, { status: 303, headers: { Location: "/login?error=credentials" } });
    throw error;
  }
});

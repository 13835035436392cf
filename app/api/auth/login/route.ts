import { z } from "zod";
import { apiRoute, errorResponse } from "@/lib/api/handler";
import { login, SignInRefused } from "@/lib/auth/login";
import { sessionCookieHeader } from "@/lib/auth/cookie";
import { AppError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record";
import { clientAddress } from "@/lib/rate-limit/client-address";
import { limitsConfig } from "@/lib/rate-limit/config";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

const body = z.object({ username: z.string().min(1, "Username is required").max(100), password: z.string().min(1, "Password is required").max(256) });

export const POST = apiRoute({ action: "public", body }, async ({ req, body }) => {
  const fromHtmlForm = req.headers.get("content-type")?.startsWith("application/x-www-form-urlencoded");
  const limits = limitsConfig();
  const address = clientAddress(req.headers, limits.trustedProxies);
  try {
    const { user, token, expiresAt } = await login(
      db(),
      { username: body.username, password: body.password, ttlHours: env().TIDELINE_SESSION_TTL_HOURS, clientAddress: address },
      { policy: limits.login },
    );
    await recordAudit(db(), { actor: user, action: "auth.login", targetType: "user", targetId: user.id, details: { method: "password", address } });
    const cookie = { "Set-Cookie": sessionCookieHeader(req, token, expiresAt) };
    if (fromHtmlForm) return new Response(null, { status: 303, headers: { ...cookie, Location: "/" } });
    return Response.json({ user: { id: user.id, username: user.username, role: user.role } }, { headers: cookie });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    // Failed attempts are audited by username only (never the password); the real reason stays here.
    const reason = error instanceof SignInRefused ? error.reason : error.code;
    await recordAudit(db(), {
      actor: null,
      action: "auth.login_failed",
      targetType: "user",
      details: { username: body.username.slice(0, 100), reason, address },
    });
    if (error instanceof SignInRefused && error.lockedNow) {
      await recordAudit(db(), {
        actor: null,
        action: "auth.account_locked",
        targetType: "user",
        details: { username: body.username.slice(0, 100), address, minutes: limits.login.lockMs / 60_000 },
      });
    }
    if (fromHtmlForm)
      return new Response(null, { status: 303, headers: { Location: `/login?error=${error.code === "rate_limited" ? "rate_limited" : "credentials"}` } });
    const response = errorResponse(error);
    const retryAfter = error.details?.retryAfterSeconds;
    if (typeof retryAfter === "number") response.headers.set("Retry-After", String(retryAfter));
    return response;
  }
});

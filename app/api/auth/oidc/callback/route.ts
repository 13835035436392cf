import { apiRoute } from "@/lib/api/handler";
import { finishOidcLogin, OIDC_STATE_COOKIE } from "@/lib/auth/oidc/oidc";
import { sessionCookieHeader } from "@/lib/auth/cookie";
import { AppError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";

/** The provider sends the browser back here; the state cookie is consumed whatever happens. */
export const GET = apiRoute({ action: "public" }, async ({ req }) => {
  const clearState = `${OIDC_STATE_COOKIE}=; Path=/api/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=0`;
  try {
    const { user, token, expiresAt } = await finishOidcLogin(db(), req.nextUrl, req.cookies.get(OIDC_STATE_COOKIE)?.value);
    await recordAudit(db(), { actor: user, action: "auth.login", targetType: "user", targetId: user.id, details: { method: "oidc", role: user.role } });
    const headers = new Headers({ Location: "/" });
    headers.append("Set-Cookie", clearState);
    headers.append("Set-Cookie", sessionCookieHeader(req, token, expiresAt));
    return new Response(null, { status: 303, headers });
  } catch (error) {
    const message = error instanceof AppError ? error.message : "Single sign-on failed";
    await recordAudit(db(), { actor: null, action: "auth.login_failed", targetType: "user", details: { method: "oidc", reason: message.slice(0, 300) } }).catch(
      () => {},
    );
    return new Response(null, { status: 303, headers: { Location: `/login?sso_error=${encodeURIComponent(message)}`, "Set-Cookie": clearState } });
  }
});

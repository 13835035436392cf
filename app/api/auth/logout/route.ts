import { apiRoute } from "@/lib/api/handler";
import { revokeSession, SESSION_COOKIE } from "@/lib/auth/sessions";
import { clearedSessionCookieHeader } from "@/lib/auth/cookie";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";

export const POST = apiRoute({ action: "authenticated" }, async ({ req, user }) => {
  await revokeSession(db(), req.cookies.get(SESSION_COOKIE)?.value);
  await recordAudit(db(), { actor: user, action: "auth.logout", targetType: "user", targetId: user.id });
  const headers = { "Set-Cookie": clearedSessionCookieHeader() };
  // The sign-out button is an HTML form: send the browser to the sign-in page.
  if (req.headers.get("content-type")?.startsWith("application/x-www-form-urlencoded")) {
    return new Response(null, { status: 303, headers: { ...headers, Location: "/login" } });
  }
  return Response.json({ ok: true }, { headers });
});

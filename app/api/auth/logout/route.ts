import { apiRoute } from "@/lib/api/handler";
import { revokeSession, SESSION_COOKIE } from "@/lib/auth/sessions";
import { clearedSessionCookieHeader } from "@/lib/auth/cookie";
import { db } from "@/lib/db";

export const POST = apiRoute({ action: "authenticated" }, async ({ req }) => {
  await revokeSession(db(), req.cookies.get(SESSION_COOKIE)?.value);
  return Response.json({ ok: true }, { headers: { "Set-Cookie": clearedSessionCookieHeader() } });
});

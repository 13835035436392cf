import { apiRoute } from "@/lib/api/handler";
import { OIDC_STATE_COOKIE, startOidcLogin } from "@/lib/auth/oidc/oidc";
import { env } from "@/lib/env";

/** Starts single sign-on: remembers state, nonce and PKCE verifier (encrypted cookie), then redirects. */
export const GET = apiRoute({ action: "public" }, async ({ req }) => {
  // The redirect URI must match the one registered at the provider exactly: prefer the configured public URL.
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host") ?? req.nextUrl.host;
  const proto = req.headers.get("x-forwarded-proto") ?? req.nextUrl.protocol.replace(":", "");
  const redirectUri = new URL("/api/auth/oidc/callback", env().TIDELINE_PUBLIC_URL ?? `${proto}://${host}`).toString();
  const { location, stateCookie } = await startOidcLogin(redirectUri);
  const secure = req.nextUrl.protocol === "https:" ? "; Secure" : "";
  return new Response(null, {
    status: 302,
    headers: { Location: location, "Set-Cookie": `${OIDC_STATE_COOKIE}=${stateCookie}; Path=/api/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=600${secure}` },
  });
});

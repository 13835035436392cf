// Anyone can lock an account by guessing its password five times; single sign-on does not go through
// the password counter, so a locked account still signs in with SSO. The OpenID provider here is a
// few lines of HTTP following the discovery, JWKS and token endpoint contracts (signing with jose).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { login } from "../../lib/auth/login";
import { prisma } from "../helpers/db";

let server: Server;
let issuer = "";
let signingKey: CryptoKey;
let lastNonce = "";

beforeAll(async () => {
  const pair = await generateKeyPair("RS256");
  signingKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    const json = (body: unknown) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(body));
    };
    if (url.pathname === "/.well-known/openid-configuration") {
      return json({
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        code_challenge_methods_supported: ["S256"],
      });
    }
    if (url.pathname === "/jwks") return json({ keys: [jwk] });
    if (url.pathname === "/token") {
      const now = Math.floor(Date.now() / 1000);
      const idToken = await new SignJWT({ nonce: lastNonce, groups: ["devs"], preferred_username: "locked-sso-user" })
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .setIssuer(issuer)
        .setAudience("tideline")
        .setSubject("locked-sso-user")
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(signingKey);
      return json({ access_token: "at", token_type: "Bearer", expires_in: 600, id_token: idToken });
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(process.env, {
    TIDELINE_OIDC_ISSUER: issuer,
    TIDELINE_OIDC_CLIENT_ID: "tideline",
    TIDELINE_OIDC_CLIENT_SECRET: "secret",
    TIDELINE_OIDC_ROLE_MAP: "devs=developer",
  });
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function signInWithSso() {
  const { startOidcLogin, finishOidcLogin } = await import("../../lib/auth/oidc/oidc");
  const { location, stateCookie } = await startOidcLogin("http://tideline.test/api/auth/oidc/callback");
  const auth = new URL(location);
  lastNonce = auth.searchParams.get("nonce")!;
  const callback = new URL(`http://tideline.test/api/auth/oidc/callback?code=abc&state=${auth.searchParams.get("state")}&iss=${encodeURIComponent(issuer)}`);
  return finishOidcLogin(prisma(), callback, stateCookie);
}

it("an account locked by password guesses still signs in with single sign-on", async () => {
  const first = await signInWithSso();
  for (let i = 0; i < 8; i++) await login(prisma(), { username: first.user.username, password: `guess-${i}`, ttlHours: 1 }).catch(() => undefined);
  const locked = await prisma().user.findUniqueOrThrow({ where: { id: first.user.id } });
  expect(locked.lockedUntil!.getTime()).toBeGreaterThan(Date.now());

  const again = await signInWithSso();
  expect(again.user.id).toBe(first.user.id);
  expect(again.token).toBeTruthy();
});

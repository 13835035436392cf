// ID tokens that must be refused. A real OpenID provider never misbehaves on purpose, so
// this file runs a deliberately faulty one: a few lines of HTTP following the OIDC discovery,
// JWKS and token endpoint contracts, signing with jose, and breaking one rule per case.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";

type Fault = "none" | "audience" | "issuer" | "signature" | "nonce" | "expired";
let fault: Fault = "none";
let server: Server;
let issuer = "";
let signingKey: CryptoKey;
let strangerKey: CryptoKey;
let lastNonce = "";

beforeAll(async () => {
  const pair = await generateKeyPair("RS256");
  signingKey = pair.privateKey;
  strangerKey = (await generateKeyPair("RS256")).privateKey;
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
      const idToken = await new SignJWT({ nonce: fault === "nonce" ? "another-nonce" : lastNonce, groups: ["platform-admins"], preferred_username: "mallory" })
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .setIssuer(fault === "issuer" ? "https://evil.example.com" : issuer)
        .setAudience(fault === "audience" ? "some-other-app" : "tideline")
        .setSubject("mallory")
        .setIssuedAt(fault === "expired" ? now - 7200 : now)
        .setExpirationTime(fault === "expired" ? now - 3600 : now + 600)
        .sign(fault === "signature" ? strangerKey : signingKey);
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
    TIDELINE_OIDC_ROLE_MAP: "platform-admins=admin",
  });
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function signInWith(which: Fault) {
  fault = which;
  const { startOidcLogin, finishOidcLogin } = await import("../../lib/auth/oidc/oidc");
  const { db } = await import("../../lib/db");
  const { location, stateCookie } = await startOidcLogin("http://tideline.test/api/auth/oidc/callback");
  const auth = new URL(location);
  lastNonce = auth.searchParams.get("nonce")!;
  const callback = new URL(`http://tideline.test/api/auth/oidc/callback?code=abc&state=${auth.searchParams.get("state")}&iss=${encodeURIComponent(issuer)}`);
  return finishOidcLogin(db(), callback, stateCookie);
}

describe("ID token validation", () => {
  it("accepts a correct ID token (the control case)", async () => {
    const { user } = await signInWith("none");
    expect(user).toMatchObject({ username: "mallory", role: "admin" });
  });

  it.each([
    ["audience", /"aud" \(audience\)/],
    ["issuer", /"iss" \(issuer\)/],
    ["signature", /signature verification failed/],
    ["nonce", /"nonce" claim/],
    ["expired", /expiration is past/],
  ] as const)("refuses a token with a wrong %s", async (which, reason) => {
    const error = await signInWith(which).then(
      () => null,
      (e: Error) => e,
    );
    expect(error).toMatchObject({ code: "unauthenticated", message: expect.stringMatching(reason) });
  });

  it("refuses a callback whose state does not match", async () => {
    fault = "none";
    const { startOidcLogin, finishOidcLogin } = await import("../../lib/auth/oidc/oidc");
    const { db } = await import("../../lib/db");
    const { stateCookie } = await startOidcLogin("http://tideline.test/api/auth/oidc/callback");
    await expect(
      finishOidcLogin(db(), new URL(`http://tideline.test/api/auth/oidc/callback?code=abc&state=forged&iss=${encodeURIComponent(issuer)}`), stateCookie),
    ).rejects.toMatchObject({
      code: "unauthenticated",
      message: expect.stringMatching(/state/),
    });
  });
});

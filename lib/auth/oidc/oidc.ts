// OpenID Connect sign-in (authorization code + PKCE, state and nonce) with openid-client,
// which checks the ID token's issuer, audience, signature and nonce. The in-flight state
// rides in a short-lived encrypted cookie, used once.
import "server-only";
import * as client from "openid-client";
import type { PrismaClient } from "../../generated/prisma/client";
import { AppError } from "../../errors";
import { env } from "../../env";
import { seal, unseal } from "../../crypto/keyring";
import { createSession } from "../sessions";
import { parseRoleMap, roleForGroups } from "./role-mapping";

export const OIDC_STATE_COOKIE = "tideline_oidc";
const STATE_TTL_MS = 10 * 60 * 1000;

export function oidcEnabled(): boolean {
  const e = env();
  return Boolean(e.TIDELINE_OIDC_ISSUER && e.TIDELINE_OIDC_CLIENT_ID && e.TIDELINE_OIDC_CLIENT_SECRET);
}

let configPromise: Promise<client.Configuration> | undefined;
function configuration(): Promise<client.Configuration> {
  const e = env();
  if (!oidcEnabled())
    throw new AppError("not_found", "Single sign-on is not configured (set TIDELINE_OIDC_ISSUER, TIDELINE_OIDC_CLIENT_ID and TIDELINE_OIDC_CLIENT_SECRET)");
  const issuer = new URL(e.TIDELINE_OIDC_ISSUER!);
  configPromise ??= client
    // enableNonRepudiationChecks: verify the ID token's signature too (the spec lets clients rely
    // on TLS alone for tokens from the token endpoint; we want both).
    .discovery(issuer, e.TIDELINE_OIDC_CLIENT_ID!, e.TIDELINE_OIDC_CLIENT_SECRET!, undefined, {
      execute: [client.enableNonRepudiationChecks, ...(issuer.protocol === "http:" ? [client.allowInsecureRequests] : [])],
    })
    .catch((error: Error) => {
      configPromise = undefined;
      throw new AppError("unreachable", `The OpenID provider at ${issuer} could not be reached or described: ${error.message}`);
    });
  return configPromise;
}

export async function startOidcLogin(redirectUri: string): Promise<{ location: string; stateCookie: string }> {
  const config = await configuration();
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const location = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: "openid profile email",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
  return { location: location.toString(), stateCookie: seal(JSON.stringify({ verifier, state, nonce, redirectUri, at: Date.now() })) };
}

export async function finishOidcLogin(prisma: PrismaClient, callbackUrl: URL, stateCookie: string | undefined) {
  if (!stateCookie) throw new AppError("invalid", "This sign-in link was already used or has expired; start the sign-in again");
  let flow: { verifier: string; state: string; nonce: string; redirectUri: string; at: number };
  try {
    flow = JSON.parse(unseal(stateCookie));
  } catch {
    throw new AppError("invalid", "The sign-in state is not valid; start the sign-in again");
  }
  if (Date.now() - flow.at > STATE_TTL_MS) throw new AppError("invalid", "The sign-in took too long; start it again");
  const config = await configuration();
  const current = new URL(flow.redirectUri);
  current.search = callbackUrl.search;
  const e = env();
  let claims: Record<string, unknown> & { iss: string; sub: string };
  try {
    const tokens = await client.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims();
    if (!idClaims) throw new Error("the provider returned no ID token");
    claims = { ...idClaims };
    // Many providers put groups (and names) only in the userinfo response, not in the ID token.
    if (claims[e.TIDELINE_OIDC_GROUPS_CLAIM] === undefined && tokens.access_token) {
      const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      claims = {
        ...info,
        ...claims,
        [e.TIDELINE_OIDC_GROUPS_CLAIM]: info[e.TIDELINE_OIDC_GROUPS_CLAIM],
        preferred_username: claims.preferred_username ?? info.preferred_username,
      };
    }
  } catch (error) {
    throw new AppError("unauthenticated", `Single sign-on failed: ${describeOidcError(error)}`);
  }
  const role = roleForGroups(claims[e.TIDELINE_OIDC_GROUPS_CLAIM], parseRoleMap(e.TIDELINE_OIDC_ROLE_MAP), e.TIDELINE_OIDC_DEFAULT_ROLE);
  if (!role) throw new AppError("forbidden", "Your groups give you no access to Tideline; ask an admin to map one of your groups to a role");
  const subject = `${claims.iss}|${claims.sub}`;
  const username = String(claims.preferred_username ?? claims.email ?? claims.sub).toLowerCase();
  const user = await prisma.user.upsert({
    where: { oidcSubject: subject },
    create: {
      username: await freeUsername(prisma, username),
      oidcSubject: subject,
      role,
      displayName: typeof claims.name === "string" ? claims.name : null,
      passwordHash: "!sso-only",
    },
    // The provider's groups are the source of truth for SSO accounts: roles follow them at each sign-in.
    update: { role },
  });
  if (user.disabled) throw new AppError("forbidden", "This account is disabled");
  return { user, ...(await createSession(prisma, user.id, e.TIDELINE_SESSION_TTL_HOURS)) };
}

/** openid-client's messages are generic; the error it wraps says which check failed. */
function describeOidcError(error: unknown): string {
  const outer = error as { message?: string; cause?: { message?: string; code?: string } };
  const inner = outer.cause?.message;
  const detail = inner && inner !== outer.message ? `: ${inner}` : "";
  const signature = /signature/i.test(`${inner ?? ""} ${outer.cause?.code ?? ""}`) ? " (the ID token signature does not verify with the provider's keys)" : "";
  return `${outer.message ?? String(error)}${detail}${signature}`;
}

async function freeUsername(prisma: PrismaClient, wanted: string): Promise<string> {
  const base = wanted.replace(/[^a-z0-9._@-]/g, "-").slice(0, 60) || "sso-user";
  for (let i = 0; ; i++) {
    const candidate = i === 0 ? base : `${base}-${i}`;
    if (!(await prisma.user.findUnique({ where: { username: candidate } }))) return candidate;
  }
}

// API tokens for CI and scripts ("Authorization: Bearer tl_..."): random, shown once, stored
// as SHA-256, expiring, revocable, and limited to the actions in their scopes.
import "server-only";
import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client";
import { invalid, notFound } from "../errors";
import { can, PERMISSIONS, type Action, type RoleName } from "./roles";
import type { SessionUser } from "./sessions";

export const TOKEN_PREFIX = "tl_";
const digest = (token: string) => createHash("sha256").update(token).digest("hex");

export interface TokenUser extends SessionUser {
  scopes: Set<string>;
}

export async function createApiToken(
  prisma: PrismaClient,
  owner: { id: string; role: RoleName },
  input: { name: string; scopes: string[]; expiresInDays: number },
) {
  const userId = owner.id;
  const unknown = input.scopes.filter((s) => !(s in PERMISSIONS));
  if (unknown.length) throw invalid(`Unknown scope(s): ${unknown.join(", ")}; valid scopes are ${Object.keys(PERMISSIONS).join(", ")}`, { field: "scopes" });
  const beyond = input.scopes.filter((s) => !can(owner.role, s as Action));
  if (beyond.length) throw invalid(`Your role (${owner.role}) does not allow: ${beyond.join(", ")}`, { field: "scopes" });
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const row = await prisma.apiToken.create({
    data: {
      userId,
      name: input.name,
      tokenHash: digest(token),
      prefix: token.slice(0, 10),
      scopes: input.scopes,
      expiresAt: new Date(Date.now() + input.expiresInDays * 86400_000),
    },
  });
  return { token, apiToken: publicToken(row) };
}

export async function userForApiToken(prisma: PrismaClient, token: string): Promise<TokenUser | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const rows = await prisma.$queryRaw<
    Array<{
      tokenId: string;
      scopes: string[];
      expiresAt: Date;
      revokedAt: Date | null;
      lastUsedAt: Date | null;
      userId: string;
      username: string;
      displayName: string | null;
      role: RoleName;
      disabled: boolean;
    }>
  >`
    SELECT t.id AS "tokenId", t.scopes, t."expiresAt", t."revokedAt", t."lastUsedAt", u.id AS "userId", u.username, u."displayName", u.role::text AS role, u.disabled
    FROM "ApiToken" t JOIN "User" u ON u.id = t."userId" WHERE t."tokenHash" = ${digest(token)}`;
  const row = rows[0];
  if (!row || row.revokedAt || row.expiresAt.getTime() <= Date.now() || row.disabled) return null;
  // lastUsedAt is informative: written at most once a minute, and a failed write must not fail the request.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    void prisma.apiToken.update({ where: { id: row.tokenId }, data: { lastUsedAt: new Date() } }).catch(() => {});
  }
  return {
    id: row.userId,
    username: row.username,
    displayName: row.displayName,
    role: row.role,
    sessionId: `token:${row.tokenId}`,
    scopes: new Set(row.scopes),
  };
}

export function tokenAllows(user: SessionUser | TokenUser, action: Action): boolean {
  return !("scopes" in user) || user.scopes.has(action);
}

export async function listApiTokens(prisma: PrismaClient, userId: string) {
  return (await prisma.apiToken.findMany({ where: { userId }, orderBy: { createdAt: "desc" } })).map(publicToken);
}

export async function revokeApiToken(prisma: PrismaClient, userId: string, id: string) {
  const row = await prisma.apiToken.findFirst({ where: { id, userId } });
  if (!row) throw notFound(`Token ${id} does not exist`);
  return publicToken(await prisma.apiToken.update({ where: { id }, data: { revokedAt: new Date() } }));
}

function publicToken(t: {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  expiresAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}) {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    scopes: t.scopes,
    expiresAt: t.expiresAt.toISOString(),
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
    createdAt: t.createdAt.toISOString(),
  };
}

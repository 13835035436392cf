// Server-side sessions: the cookie holds a random token, Postgres holds only its SHA-256.
import "server-only";
import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client";
import type { RoleName } from "./roles";

export const SESSION_COOKIE = "tideline_session";

export interface SessionUser {
  id: string;
  username: string;
  displayName: string | null;
  role: RoleName;
  sessionId: string;
  sessionCreatedAt?: Date;
  sessionExpiresAt?: Date;
}

/** Session tokens are replaced after an hour of use (same expiry), limiting what a stolen cookie is worth. */
export const ROTATE_AFTER_MS = 60 * 60 * 1000;
const ROTATION_GRACE_MS = 60 * 1000;

const digest = (token: string) => createHash("sha256").update(token).digest("hex");

export async function createSession(prisma: PrismaClient, userId: string, ttlHours: number) {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  await prisma.session.create({ data: { id: digest(token), userId, expiresAt } });
  return { token, expiresAt };
}

export async function userForToken(prisma: PrismaClient, token: string | undefined): Promise<SessionUser | null> {
  if (!token || token.length > 200) return null;
  const id = digest(token);
  // One round trip (this runs on every API request): session and user joined in SQL.
  const rows = await prisma.$queryRaw<
    Array<{ userId: string; username: string; displayName: string | null; role: RoleName; disabled: boolean; createdAt: Date; expiresAt: Date }>
  >`
    SELECT u.id AS "userId", u.username, u."displayName", u.role::text AS role, u.disabled, s."createdAt", s."expiresAt"
    FROM "Session" s JOIN "User" u ON u.id = s."userId" WHERE s.id = ${id}`;
  const row = rows[0];
  if (!row || row.disabled) return null;
  if (row.expiresAt.getTime() <= Date.now()) {
    await prisma.session.delete({ where: { id } }).catch(() => {});
    return null;
  }
  return {
    id: row.userId,
    username: row.username,
    displayName: row.displayName,
    role: row.role,
    sessionId: id,
    sessionCreatedAt: row.createdAt,
    sessionExpiresAt: row.expiresAt,
  };
}

/** A fresh token for an old session; the old one keeps working for a minute (requests in flight). */
export async function rotateSessionIfDue(prisma: PrismaClient, user: SessionUser): Promise<{ token: string; expiresAt: Date } | null> {
  if (!user.sessionCreatedAt || !user.sessionExpiresAt || Date.now() - user.sessionCreatedAt.getTime() < ROTATE_AFTER_MS) return null;
  const token = randomBytes(32).toString("base64url");
  const graceUntil = new Date(Math.min(user.sessionExpiresAt.getTime(), Date.now() + ROTATION_GRACE_MS));
  await prisma.$transaction([
    prisma.session.create({ data: { id: digest(token), userId: user.id, expiresAt: user.sessionExpiresAt } }),
    prisma.session.update({ where: { id: user.sessionId }, data: { expiresAt: graceUntil, createdAt: new Date() } }),
  ]);
  return { token, expiresAt: user.sessionExpiresAt };
}

export async function revokeSession(prisma: PrismaClient, token: string | undefined): Promise<void> {
  if (!token) return;
  await prisma.session.deleteMany({ where: { id: digest(token) } });
}

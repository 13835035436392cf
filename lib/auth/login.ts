// Checks a username and password and opens a session. Five consecutive failures lock the
// account for 15 minutes (counted in Postgres, so every Tideline replica agrees).
import type { PrismaClient } from "../generated/prisma/client";
import { AppError } from "../errors";
import { verifyPassword } from "./password";
import { createSession } from "./sessions";

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60 * 1000;

export async function login(prisma: PrismaClient, username: string, password: string, ttlHours: number) {
  const user = await prisma.user.findUnique({ where: { username: username.trim().toLowerCase() } });
  if (user?.lockedUntil && user.lockedUntil.getTime() > Date.now()) {
    const minutes = Math.ceil((user.lockedUntil.getTime() - Date.now()) / 60_000);
    throw new AppError("rate_limited", `Too many failed sign-ins; try again in ${minutes} minute${minutes === 1 ? "" : "s"} or ask an admin`);
  }
  const ok = await verifyPassword(user?.passwordHash ?? null, password);
  if (!user || !ok || user.disabled) {
    if (user) {
      const failed = user.failedLogins + 1;
      await prisma.user.update({
        where: { id: user.id },
        data: failed >= MAX_FAILED_LOGINS ? { failedLogins: 0, lockedUntil: new Date(Date.now() + LOCKOUT_MS) } : { failedLogins: failed },
      });
    }
    throw new AppError("unauthenticated", "Wrong username or password");
  }
  if (user.failedLogins > 0 || user.lockedUntil) await prisma.user.update({ where: { id: user.id }, data: { failedLogins: 0, lockedUntil: null } });
  const session = await createSession(prisma, user.id, ttlHours);
  return { user, ...session };
}

// Checks a username and password and opens a session.
import type { PrismaClient } from "../generated/prisma/client";
import { AppError } from "../errors";
import { verifyPassword } from "./password";
import { createSession } from "./sessions";

export async function login(prisma: PrismaClient, username: string, password: string, ttlHours: number) {
  const user = await prisma.user.findUnique({ where: { username: username.trim().toLowerCase() } });
  const ok = await verifyPassword(user?.passwordHash ?? null, password);
  if (!user || !ok || user.disabled) throw new AppError("unauthenticated", "Wrong username or password");
  const session = await createSession(prisma, user.id, ttlHours);
  return { user, ...session };
}

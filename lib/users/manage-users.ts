// Local accounts: creation (first admin at set-up, others by admins) and role changes.
import type { PrismaClient } from "../generated/prisma/client";
import { conflict, invalid, notFound } from "../errors";
import { checkPasswordStrength, hashPassword } from "../auth/password";
import type { RoleName } from "../auth/roles";

export async function createUser(prisma: PrismaClient, input: { username: string; password: string; role: RoleName; displayName?: string | null }) {
  const username = input.username.trim().toLowerCase();
  const weak = checkPasswordStrength(input.password);
  if (weak) throw invalid(weak, { field: "password" });
  if (await prisma.user.findUnique({ where: { username } })) throw conflict(`User "${username}" already exists`);
  const user = await prisma.user.create({
    data: { username, role: input.role, displayName: input.displayName ?? null, passwordHash: await hashPassword(input.password) },
  });
  return publicUser(user);
}

export async function updateUser(prisma: PrismaClient, id: string, patch: { role?: RoleName; disabled?: boolean }, actorId: string) {
  const user = await prisma.user.findUnique({ where: { id } });
  if (!user) throw notFound(`User ${id} does not exist`);
  if (id === actorId && (patch.disabled || (patch.role && patch.role !== "admin"))) {
    throw invalid("You cannot demote or disable your own account; ask another admin");
  }
  const updated = await prisma.user.update({ where: { id }, data: patch });
  if (patch.disabled) await prisma.session.deleteMany({ where: { userId: id } });
  return publicUser(updated);
}

export async function listUsers(prisma: PrismaClient) {
  const users = await prisma.user.findMany({ orderBy: { username: "asc" } });
  return users.map(publicUser);
}

export function publicUser(u: { id: string; username: string; displayName: string | null; role: RoleName; disabled: boolean; createdAt: Date }) {
  return { id: u.id, username: u.username, displayName: u.displayName, role: u.role, disabled: u.disabled, createdAt: u.createdAt.toISOString() };
}

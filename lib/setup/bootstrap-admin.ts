// Creates the first admin when no user exists yet. The password comes from
// TIDELINE_ADMIN_PASSWORD or is generated, and is returned once to be printed.
import { randomBytes } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client";
import { createUser } from "../users/manage-users";

export async function bootstrapAdmin(prisma: PrismaClient, opts: { username?: string; password?: string } = {}) {
  if ((await prisma.user.count()) > 0) return null;
  const username = opts.username ?? "admin";
  const password = opts.password ?? randomBytes(12).toString("base64url");
  await createUser(prisma, { username, password, role: "admin", displayName: "Administrator" });
  return { username, password };
}

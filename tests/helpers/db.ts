// The Prisma client the app itself uses, pointed at the test database by global-setup.
import { db } from "../../lib/db";
import { createUser } from "../../lib/users/manage-users";
import type { RoleName } from "../../lib/auth/roles";
import { randomUUID } from "node:crypto";

export const prisma = () => db();

export async function makeUser(role: RoleName, password = "correct horse battery") {
  const username = `${role}-${randomUUID().slice(0, 8)}`;
  const user = await createUser(db(), { username, password, role });
  return { ...user, password };
}

export const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

// Project-scoped permission checks for routes whose resource is a project (members): the higher of
// the user's global role and their role on that project, and the API token's scopes.
import type { PrismaClient } from "../generated/prisma/client";
import type { z } from "zod";
import { AppError } from "../errors";
import { can, type Action } from "../auth/roles";
import { projectRole } from "../auth/application-roles";
import { tokenAllows } from "../auth/api-tokens";
import type { SessionUser } from "../auth/sessions";

export async function assertProjectAction(prisma: PrismaClient, user: SessionUser, projectId: string, action: Action) {
  const role = await projectRole(prisma, user, projectId);
  if (!can(role, action)) throw new AppError("forbidden", `Your role (${role}) may not perform ${action} on this project`);
  if (!tokenAllows(user, action)) throw new AppError("forbidden", `This API token's scopes do not include ${action}`);
}

/** A body validated after the permission check (so 403 comes before 422), with the handler's error shape. */
export function parseAfterCheck<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ field: i.path.join("."), message: i.message }));
  throw new AppError("invalid", `Invalid body: ${issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join("; ")}`, { issues });
}

// Per-project and per-application roles: a binding grants a role on one application, or on every
// application of a project, on top of the user's global role; the highest of the three applies.
import type { PrismaClient } from "../generated/prisma/client";
import { invalid, notFound } from "../errors";
import { ROLES, type RoleName } from "./roles";

export const highestRole = (...roles: RoleName[]): RoleName => roles.reduce((a, b) => (ROLES.indexOf(b) > ROLES.indexOf(a) ? b : a));

export async function effectiveRole(prisma: PrismaClient, user: { id: string; role: RoleName }, applicationId: string | null): Promise<RoleName> {
  if (!applicationId) return user.role;
  const app = await prisma.application.findUnique({
    where: { id: applicationId },
    select: {
      roleBindings: { where: { userId: user.id }, select: { role: true } },
      project: { select: { roleBindings: { where: { userId: user.id }, select: { role: true } } } },
    },
  });
  if (!app) return user.role;
  return highestRole(user.role, ...app.roleBindings.map((b) => b.role), ...app.project.roleBindings.map((b) => b.role));
}

/** A user's role on a project (global role or project binding, the higher). */
export async function projectRole(prisma: PrismaClient, user: { id: string; role: RoleName }, projectId: string): Promise<RoleName> {
  const binding = await prisma.projectRoleBinding.findUnique({ where: { userId_projectId: { userId: user.id, projectId } }, select: { role: true } });
  return binding ? highestRole(user.role, binding.role) : user.role;
}

/** Which application a route's resource belongs to (null when it does not exist: the route answers 404). */
export const applicationOf = {
  /** For bodyScope: the application of the environment whose id is in `field` of the request body. */
  bodyEnvironment: (field: string) => async (prisma: PrismaClient, body: Record<string, unknown>) =>
    typeof body[field] === "string"
      ? ((await prisma.environment.findUnique({ where: { id: body[field] as string }, select: { applicationId: true } }))?.applicationId ?? null)
      : null,
  application: async (prisma: PrismaClient, id: string) => (await prisma.application.findUnique({ where: { id }, select: { id: true } }))?.id ?? null,
  environment: async (prisma: PrismaClient, id: string) =>
    (await prisma.environment.findUnique({ where: { id }, select: { applicationId: true } }))?.applicationId ?? null,
  syncRun: async (prisma: PrismaClient, id: string) =>
    (await prisma.syncRun.findUnique({ where: { id }, select: { environment: { select: { applicationId: true } } } }))?.environment.applicationId ?? null,
  promotion: async (prisma: PrismaClient, id: string) =>
    (await prisma.promotion.findUnique({ where: { id }, select: { applicationId: true } }))?.applicationId ?? null,
};

export async function listMembers(prisma: PrismaClient, applicationId: string) {
  const rows = await prisma.roleBinding.findMany({
    where: { applicationId },
    include: { user: { select: { username: true } } },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((r) => ({ userId: r.userId, username: r.user.username, role: r.role }));
}

export async function setMember(prisma: PrismaClient, applicationId: string, username: string, role: RoleName) {
  const user = await prisma.user.findUnique({ where: { username: username.trim().toLowerCase() } });
  if (!user) throw invalid(`User "${username}" does not exist`, { field: "username" });
  if (!(await prisma.application.findUnique({ where: { id: applicationId } }))) throw notFound(`Application ${applicationId} does not exist`);
  await prisma.roleBinding.upsert({
    where: { userId_applicationId: { userId: user.id, applicationId } },
    create: { userId: user.id, applicationId, role },
    update: { role },
  });
  return { userId: user.id, username: user.username, role };
}

export async function removeMember(prisma: PrismaClient, applicationId: string, userId: string) {
  const { count } = await prisma.roleBinding.deleteMany({ where: { applicationId, userId } });
  if (count === 0) throw notFound("That user has no role on this application");
}

// Projects and their members: create, update and delete with the rules validated at the boundary
// (schemas.ts); "default" always exists, and a project in use by applications is not deleted.
import type { Prisma, PrismaClient, Project } from "../generated/prisma/client";
import { AppError, conflict, invalid, notFound } from "../errors";
import type { RoleName } from "../auth/roles";
import type { CreateProjectInput, UpdateProjectInput } from "./schemas";

export const DEFAULT_PROJECT_ID = "default";

const json = (v: unknown) => v as Prisma.InputJsonValue;

export function publicProject(p: Project & { applications?: Array<{ id: string; name: string }>; _count?: { roleBindings: number } }) {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    sourceRepos: p.sourceRepos,
    destinations: p.destinations,
    clusterResourceWhitelist: p.clusterResourceWhitelist,
    namespaceResourceBlacklist: p.namespaceResourceBlacklist,
    applications: p.applications ?? [],
    members: p._count?.roleBindings ?? 0,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

const withApps = { applications: { select: { id: true, name: true }, orderBy: { name: "asc" } }, _count: { select: { roleBindings: true } } } as const;

export async function listProjects(prisma: PrismaClient) {
  return (await prisma.project.findMany({ orderBy: { name: "asc" }, include: withApps })).map(publicProject);
}

export async function getProject(prisma: PrismaClient, id: string) {
  const p = await prisma.project.findUnique({ where: { id }, include: withApps });
  if (!p) throw notFound(`Project ${id} does not exist`);
  return publicProject(p);
}

export async function createProject(prisma: PrismaClient, input: CreateProjectInput) {
  if (await prisma.project.findUnique({ where: { name: input.name } })) throw conflict(`A project named "${input.name}" already exists`);
  const p = await prisma.project.create({
    data: {
      name: input.name,
      description: input.description ?? null,
      sourceRepos: json(input.sourceRepos ?? []),
      destinations: json(input.destinations ?? []),
      clusterResourceWhitelist: json(input.clusterResourceWhitelist ?? []),
      namespaceResourceBlacklist: json(input.namespaceResourceBlacklist ?? []),
    },
    include: withApps,
  });
  return publicProject(p);
}

/** Returns the project before and after (the audit records both). */
export async function updateProject(prisma: PrismaClient, id: string, patch: UpdateProjectInput) {
  const before = await getProject(prisma, id);
  const { description, ...rules } = patch;
  const data: Prisma.ProjectUpdateInput = { ...(description !== undefined ? { description } : {}) };
  for (const [k, v] of Object.entries(rules)) if (v !== undefined) (data as Record<string, unknown>)[k] = json(v);
  const after = publicProject(await prisma.project.update({ where: { id }, data, include: withApps }));
  return { before, after };
}

export async function deleteProject(prisma: PrismaClient, id: string) {
  if (id === DEFAULT_PROJECT_ID) throw conflict('The "default" project cannot be deleted: applications created without a project join it');
  const p = await getProject(prisma, id);
  if (p.applications.length > 0) {
    throw new AppError(
      "conflict",
      `Project ${p.name} still has ${p.applications.length} application(s): ${p.applications.map((a) => a.name).join(", ")}; move them to another project first`,
      { applications: p.applications },
    );
  }
  await prisma.project.delete({ where: { id } });
  return p;
}

/** Moves an application into another project (its environments answer to the new rules at the next compare). */
export async function moveApplication(prisma: PrismaClient, applicationId: string, projectId: string) {
  const app = await prisma.application.findUnique({ where: { id: applicationId }, include: { project: { select: { id: true, name: true } } } });
  if (!app) throw notFound(`Application ${applicationId} does not exist`);
  const project = await prisma.project.findUnique({ where: { id: projectId }, select: { id: true, name: true } });
  if (!project) throw invalid(`Project ${projectId} does not exist`, { field: "projectId" });
  await prisma.application.update({ where: { id: applicationId }, data: { projectId } });
  return { from: app.project, to: project };
}

export async function listProjectMembers(prisma: PrismaClient, projectId: string) {
  await getProject(prisma, projectId);
  const rows = await prisma.projectRoleBinding.findMany({
    where: { projectId },
    include: { user: { select: { username: true } } },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((r) => ({ userId: r.userId, username: r.user.username, role: r.role }));
}

export async function setProjectMember(prisma: PrismaClient, projectId: string, username: string, role: RoleName) {
  await getProject(prisma, projectId);
  const user = await prisma.user.findUnique({ where: { username: username.trim().toLowerCase() } });
  if (!user) throw invalid(`User "${username}" does not exist`, { field: "username" });
  await prisma.projectRoleBinding.upsert({
    where: { userId_projectId: { userId: user.id, projectId } },
    create: { userId: user.id, projectId, role },
    update: { role },
  });
  return { userId: user.id, username: user.username, role };
}

export async function removeProjectMember(prisma: PrismaClient, projectId: string, userId: string) {
  const { count } = await prisma.projectRoleBinding.deleteMany({ where: { projectId, userId } });
  if (count === 0) throw notFound("That user has no role on this project");
}

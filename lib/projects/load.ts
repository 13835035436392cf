// The project an environment answers to, with what its checks need (repository URL, cluster name),
// read in one query: compareEnvironment runs this on every reconcile of every environment.
import type { PrismaClient } from "../generated/prisma/client";
import { destinationError, objectError, policyOf, sourceError, type ProjectPolicy } from "./policy";

export interface EnvironmentPolicy {
  project: ProjectPolicy;
  /** Set when the environment itself (source or destination) is outside its project: every object is refused. */
  environmentError: string | null;
  objectError: (o: { apiVersion: string; kind: string; name: string; namespaced: boolean }) => string | null;
}

export interface EnvironmentRules {
  policy: EnvironmentPolicy;
  namespace: string;
  adoptExisting: boolean;
}

const select = {
  path: true,
  namespace: true,
  adoptExisting: true,
  application: { select: { project: true } },
  repository: { select: { id: true, url: true, name: true } },
  cluster: { select: { id: true, name: true } },
} as const;

type Row = {
  path: string;
  namespace: string;
  adoptExisting: boolean;
  application: { project: Parameters<typeof policyOf>[0] };
  repository: { id: string; url: string; name: string };
  cluster: { id: string; name: string };
};

export function policyForRow(row: Row): EnvironmentPolicy {
  const project = policyOf(row.application.project);
  const environmentError = sourceError(project, row.repository, row.path) ?? destinationError(project, row.cluster, row.namespace);
  return { project, environmentError, objectError: (o) => objectError(project, o, row.namespace) };
}

/** The environment's project rules and ownership settings (null when the environment no longer exists). */
export async function environmentRules(prisma: PrismaClient, environmentId: string): Promise<EnvironmentRules | null> {
  const row = await prisma.environment.findUnique({ where: { id: environmentId }, select });
  return row ? { policy: policyForRow(row), namespace: row.namespace, adoptExisting: row.adoptExisting } : null;
}

export async function environmentPolicy(prisma: PrismaClient, environmentId: string): Promise<EnvironmentPolicy | null> {
  return (await environmentRules(prisma, environmentId))?.policy ?? null;
}

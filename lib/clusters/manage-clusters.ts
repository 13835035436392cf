// Registering, checking, listing and removing clusters. Kubeconfigs are validated and
// reduced to one context before they are stored (encrypted); they never leave the server.
import type { Cluster, PrismaClient } from "../generated/prisma/client";
import { conflict, invalid, notFound } from "../errors";
import { inClusterAvailable, reduceToContext } from "../kube/kubeconfig";
import { checkConnection, type ConnectionReport } from "../kube/connection-check";
import { clientFor, forgetCluster } from "./registry";
import type { RegisterClusterInput } from "./schemas";

export interface ClusterDeps {
  prisma: PrismaClient;
  seal: (plain: string) => string;
  unseal: (sealed: string) => string;
}

export function publicCluster(c: Cluster) {
  return {
    id: c.id,
    name: c.name,
    server: c.server,
    contextName: c.contextName,
    inCluster: c.inCluster,
    defaultNamespace: c.defaultNamespace,
    status: c.status,
    statusReason: c.statusReason,
    lastError: c.lastError,
    serverVersion: c.serverVersion,
    permissions: c.permissions as Record<string, boolean> | null,
    lastCheckedAt: c.lastCheckedAt?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
  };
}

function statusOf(report: ConnectionReport): Pick<Cluster, "status" | "statusReason" | "lastError"> {
  if (!report.reachable) return { status: "unreachable", statusReason: report.failure, lastError: report.error };
  if (report.failure) return { status: "degraded", statusReason: report.failure, lastError: report.error };
  const denied = Object.entries(report.permissions)
    .filter(([, ok]) => !ok)
    .map(([p]) => p);
  if (denied.length)
    return { status: "degraded", statusReason: "forbidden", lastError: `Credentials may not: ${denied.join(", ")} (namespace ${report.namespace})` };
  return { status: "connected", statusReason: null, lastError: null };
}

export async function registerCluster(deps: ClusterDeps, input: RegisterClusterInput) {
  if (await deps.prisma.cluster.findUnique({ where: { name: input.name } })) throw conflict(`A cluster named "${input.name}" already exists`);
  let data: Omit<
    Cluster,
    "id" | "createdAt" | "status" | "statusReason" | "lastError" | "serverVersion" | "permissions" | "lastCheckedAt" | "watchOwner" | "watchOwnerSince"
  >;
  if (input.source === "in-cluster") {
    if (!inClusterAvailable()) throw invalid("Tideline is not running inside Kubernetes (no service account token mounted); paste a kubeconfig instead");
    data = {
      name: input.name,
      server: `https://${process.env.KUBERNETES_SERVICE_HOST}:${process.env.KUBERNETES_SERVICE_PORT ?? 443}`,
      contextName: null,
      inCluster: true,
      encryptedKubeconfig: null,
      defaultNamespace: input.namespace || "default",
    };
  } else {
    const reduced = reduceToContext(input.kubeconfig, input.context);
    data = {
      name: input.name,
      server: reduced.server,
      contextName: input.context,
      inCluster: false,
      encryptedKubeconfig: deps.seal(reduced.kubeconfig),
      defaultNamespace: input.namespace || reduced.namespace || "default",
    };
  }
  const cluster = await deps.prisma.cluster.create({ data });
  return checkCluster(deps, cluster.id);
}

/** Runs the connection check and stores its outcome; used on save, on demand and periodically. */
export async function checkCluster(deps: ClusterDeps, id: string) {
  const cluster = await deps.prisma.cluster.findUnique({ where: { id } });
  if (!cluster) throw notFound(`Cluster ${id} does not exist`);
  const report = await checkConnection(clientFor(cluster, deps.unseal), cluster.defaultNamespace);
  const updated = await deps.prisma.cluster.update({
    where: { id },
    data: { ...statusOf(report), serverVersion: report.serverVersion ?? cluster.serverVersion, permissions: report.permissions, lastCheckedAt: new Date() },
  });
  return { cluster: publicCluster(updated), report };
}

export async function listClusters(prisma: PrismaClient) {
  return (await prisma.cluster.findMany({ orderBy: { name: "asc" } })).map(publicCluster);
}

export async function deleteCluster(prisma: PrismaClient, id: string) {
  const cluster = await prisma.cluster.findUnique({ where: { id } });
  if (!cluster) throw notFound(`Cluster ${id} does not exist`);
  await prisma.cluster.delete({ where: { id } });
  forgetCluster(id);
  return publicCluster(cluster);
}

// The process's live connections: one KubeClient and one watch-backed ClusterCache per
// registered cluster, created on first use and dropped when the cluster is removed or edited.
import type { Cluster, PrismaClient } from "../generated/prisma/client";
import { ClusterCache } from "../kube/cluster-cache";
import { clientFromKubeconfig, inClusterClient, type KubeClient } from "../kube/transport";
import { invalid, notFound } from "../errors";
import { INVENTORY_LABEL } from "../reconcile/desired";

interface Live {
  client: KubeClient;
  cache: ClusterCache;
  fingerprint: string;
}

const globalForClusters = globalThis as unknown as { tidelineClusters?: Map<string, Live> };
const live = (globalForClusters.tidelineClusters ??= new Map());

const fingerprintOf = (c: Cluster) => `${c.encryptedKubeconfig ?? ""}|${c.inCluster}`;

export function clientFor(cluster: Cluster, unseal: (s: string) => string): KubeClient {
  return liveFor(cluster, unseal).client;
}

export function cacheFor(cluster: Cluster, unseal: (s: string) => string): ClusterCache {
  return liveFor(cluster, unseal).cache;
}

function liveFor(cluster: Cluster, unseal: (s: string) => string): Live {
  const existing = live.get(cluster.id);
  if (existing && existing.fingerprint === fingerprintOf(cluster)) return existing;
  existing?.cache.stop();
  if (!cluster.inCluster && !cluster.encryptedKubeconfig)
    throw invalid(`Cluster ${cluster.name} has no kubeconfig stored; register it again with a kubeconfig or as in-cluster`);
  const client = cluster.inCluster ? inClusterClient(cluster.name) : clientFromKubeconfig(cluster.name, unseal(cluster.encryptedKubeconfig!));
  const entry = { client, cache: new ClusterCache(client, { indexLabel: INVENTORY_LABEL }), fingerprint: fingerprintOf(cluster) };
  live.set(cluster.id, entry);
  return entry;
}

export async function cacheForClusterId(prisma: PrismaClient, id: string, unseal: (s: string) => string): Promise<ClusterCache> {
  const cluster = await prisma.cluster.findUnique({ where: { id } });
  if (!cluster) throw notFound(`Cluster ${id} does not exist`);
  return cacheFor(cluster, unseal);
}

export function forgetCluster(id: string): void {
  live.get(id)?.cache.stop();
  live.delete(id);
}

// Live objects as shown to people: straight from the watch cache, Secret values masked.
import { cacheForClusterId } from "./registry";
import type { ClusterDeps } from "./manage-clusters";
import type { LiveQuery } from "../kube/cluster-cache";
import type { KubeObject } from "../kube/watch-stream";

export const MASK = "••••••••";

export function maskSecret(obj: KubeObject): KubeObject {
  if (obj.kind !== "Secret") return obj;
  const masked = { ...obj };
  for (const field of ["data", "stringData"] as const) {
    const values = obj[field] as Record<string, string> | undefined;
    if (values) masked[field] = Object.fromEntries(Object.keys(values).map((k) => [k, MASK]));
  }
  const annotations = obj.metadata.annotations as Record<string, string> | undefined;
  if (annotations?.["kubectl.kubernetes.io/last-applied-configuration"]) {
    masked.metadata = { ...obj.metadata, annotations: { ...annotations, "kubectl.kubernetes.io/last-applied-configuration": MASK } };
  }
  return masked;
}

export async function listLiveObjects(deps: ClusterDeps, clusterId: string, query: LiveQuery) {
  const cache = await cacheForClusterId(deps.prisma, clusterId, deps.unseal);
  const items = await cache.list(query);
  return { items: items.map(maskSecret), kinds: await cache.status() };
}

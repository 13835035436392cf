// Maps apiVersion + kind to the REST resource (plural name, namespaced or not) using the
// server's discovery documents, cached per group/version.
import { kubeRequest, type KubeClient, KubeError } from "./transport";

export interface ResourceType {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  verbs: string[];
}

interface APIResourceList {
  resources: Array<{ name: string; kind: string; namespaced: boolean; verbs: string[] }>;
}

export class Discovery {
  private lists = new Map<string, Promise<APIResourceList>>();

  constructor(private readonly client: KubeClient) {}

  async resolve(apiVersion: string, kind: string): Promise<ResourceType> {
    const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let list = this.lists.get(apiVersion);
    if (!list) {
      list = kubeRequest<APIResourceList>(this.client, "GET", base);
      this.lists.set(apiVersion, list);
      list.catch(() => this.lists.delete(apiVersion));
    }
    let resources;
    try {
      resources = (await list).resources;
    } catch (e) {
      if (e instanceof KubeError && e.failure === "not_found") {
        throw new KubeError("not_found", `Cluster ${this.client.name} does not serve ${apiVersion} (is its CRD installed?)`);
      }
      throw e;
    }
    const found = resources.find((r) => r.kind === kind && !r.name.includes("/"));
    if (!found) throw new KubeError("not_found", `Cluster ${this.client.name} has no kind ${kind} in ${apiVersion} (is its CRD installed?)`);
    return { apiVersion, kind, plural: found.name, namespaced: found.namespaced, verbs: found.verbs };
  }

  forget(): void {
    this.lists.clear();
  }
}

export function collectionPath(type: ResourceType, namespace?: string): string {
  const base = type.apiVersion.includes("/") ? `/apis/${type.apiVersion}` : `/api/${type.apiVersion}`;
  return type.namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${type.plural}` : `${base}/${type.plural}`;
}

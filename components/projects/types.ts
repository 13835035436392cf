export interface Project {
  id: string;
  name: string;
  description: string | null;
  sourceRepos: Array<{ repository: string; path: string }>;
  destinations: Array<{ cluster: string; namespace: string }>;
  clusterResourceWhitelist: Array<{ group: string; kind: string }>;
  namespaceResourceBlacklist: Array<{ group: string; kind: string }>;
  applications: Array<{ id: string; name: string }>;
  members: number;
}

// What a project allows, as pure checks (no database): sources, destinations and object kinds.
// Each check answers null when allowed, or the sentence a person sees when it is not.
import { globMatch } from "./glob";

export interface SourceRule {
  repository: string;
  path: string;
}
export interface DestinationRule {
  cluster: string;
  namespace: string;
}
export interface KindRule {
  group: string;
  kind: string;
}

export interface ProjectPolicy {
  name: string;
  sourceRepos: SourceRule[];
  destinations: DestinationRule[];
  clusterResourceWhitelist: KindRule[];
  namespaceResourceBlacklist: KindRule[];
}

export function policyOf(p: {
  name: string;
  sourceRepos: unknown;
  destinations: unknown;
  clusterResourceWhitelist: unknown;
  namespaceResourceBlacklist: unknown;
}): ProjectPolicy {
  const list = <T>(v: unknown) => (Array.isArray(v) ? (v as T[]) : []);
  return {
    name: p.name,
    sourceRepos: list(p.sourceRepos),
    destinations: list(p.destinations),
    clusterResourceWhitelist: list(p.clusterResourceWhitelist),
    namespaceResourceBlacklist: list(p.namespaceResourceBlacklist),
  };
}

/** A repository rule names the repository by id, or by a URL glob ("*" alone: any repository). */
export function sourceError(project: ProjectPolicy, repo: { id: string; url: string; name: string }, path: string): string | null {
  const folder = path.replace(/^\/+|\/+$/g, "");
  const ok = project.sourceRepos.some(
    (r) => (r.repository === "*" || r.repository === repo.id || globMatch(r.repository, repo.url)) && globMatch(r.path || "**", folder),
  );
  return ok ? null : `Repository ${repo.name} (${repo.url}) folder "${folder || "/"}" is not a source allowed in project ${project.name}`;
}

export function destinationError(project: ProjectPolicy, cluster: { id: string; name: string }, namespace: string): string | null {
  const ok = project.destinations.some(
    (d) => (d.cluster === "*" || d.cluster === cluster.id || d.cluster === cluster.name) && globMatch(d.namespace, namespace),
  );
  return ok ? null : `Destination cluster ${cluster.name}, namespace ${namespace} is not allowed in project ${project.name}`;
}

const kindMatches = (rule: KindRule, group: string, kind: string) => (rule.group === "*" || rule.group === group) && (rule.kind === "*" || rule.kind === kind);

/** The API group of an apiVersion ("apps/v1" -> "apps", "v1" -> "" the core group). */
export const groupOf = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.lastIndexOf("/")) : "");

/**
 * Cluster-scoped kinds need the project's whitelist (empty: none), except the environment's own
 * Namespace, which the environment owns by its destination. Namespaced kinds pass unless blacklisted.
 */
export function objectError(
  project: ProjectPolicy,
  o: { apiVersion: string; kind: string; name: string; namespaced: boolean },
  envNamespace: string,
): string | null {
  const group = groupOf(o.apiVersion);
  if (o.namespaced) {
    return project.namespaceResourceBlacklist.some((r) => kindMatches(r, group, o.kind))
      ? `${o.kind} is not allowed in project ${project.name} (denied namespaced kind)`
      : null;
  }
  if (o.kind === "Namespace" && group === "" && o.name === envNamespace) return null;
  if (project.clusterResourceWhitelist.some((r) => kindMatches(r, group, o.kind))) return null;
  return `${o.kind} is not allowed in project ${project.name} (cluster-scoped ${group ? `${group}/` : ""}${o.kind} is not on the project's cluster resource allow-list)`;
}

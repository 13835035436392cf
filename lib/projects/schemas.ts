// Input schemas for projects: the rules are globs (lib/projects/glob.ts), validated here so a bad
// rule answers 422 naming its field (destinations.1.namespace) instead of silently matching nothing.
import { z } from "zod";
import { ROLES } from "../auth/roles";

const k8sName = z
  .string()
  .trim()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be lowercase letters, digits and '-' (a Kubernetes DNS label)");
const glob = (what: string, chars: RegExp) =>
  z
    .string()
    .trim()
    .min(1, `${what} is required ("*" matches any)`)
    .max(500)
    .regex(chars, `${what} may contain only ${chars.source.slice(2, -3)} and the globs * ** ?`);

export const sourceRule = z.object({
  repository: glob("repository (a repository id, a URL glob or *)", /^[A-Za-z0-9_.:/@~%+=*?-]+$/),
  path: z
    .string()
    .trim()
    .max(1000)
    .regex(/^[A-Za-z0-9_./*?-]*$/, "path may contain letters, digits, '_', '.', '/', '-' and the globs * ** ?")
    .default("**"),
});
export const destinationRule = z.object({
  cluster: glob("cluster (a cluster name or id, or *)", /^[A-Za-z0-9_.*?-]+$/),
  namespace: glob("namespace", /^[a-z0-9*?-]+$/),
});
export const kindRule = z.object({
  group: z
    .string()
    .trim()
    .max(253)
    .regex(/^(\*|[a-z0-9.-]*)$/, 'group is an API group ("" for the core group, "*" for any)'),
  kind: z
    .string()
    .trim()
    .min(1, 'kind is required ("*" for any)')
    .max(63)
    .regex(/^(\*|[A-Za-z][A-Za-z0-9]*)$/, 'kind is a Kubernetes kind such as ClusterRole ("*" for any)'),
});

const rules = {
  sourceRepos: z.array(sourceRule).max(100),
  destinations: z.array(destinationRule).max(100),
  clusterResourceWhitelist: z.array(kindRule).max(100),
  namespaceResourceBlacklist: z.array(kindRule).max(100),
};

export const createProjectInput = z.object({ name: k8sName, description: z.string().max(500).optional().nullable(), ...rules }).partial({
  sourceRepos: true,
  destinations: true,
  clusterResourceWhitelist: true,
  namespaceResourceBlacklist: true,
});
export const updateProjectInput = z.object({ description: z.string().max(500).nullable(), ...rules }).partial();
export const projectMemberInput = z.object({ username: z.string().trim().min(1).max(100), role: z.enum(ROLES) });

export type CreateProjectInput = z.infer<typeof createProjectInput>;
export type UpdateProjectInput = z.infer<typeof updateProjectInput>;

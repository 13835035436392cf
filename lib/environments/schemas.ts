// Input schemas for applications and environments.
import { z } from "zod";

const k8sName = z
  .string()
  .trim()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be lowercase letters, digits and '-' (a Kubernetes DNS label)");

export const createApplicationInput = z.object({
  name: k8sName,
  description: z.string().max(500).optional().nullable(),
  projectId: z.string().min(1).max(50).optional(),
});
export const updateApplicationInput = z.object({ description: z.string().max(500).nullable().optional(), projectId: z.string().min(1).max(50).optional() });

export const environmentSettings = z.object({
  autoSync: z.boolean().optional(),
  prune: z.boolean().optional(),
  selfHeal: z.boolean().optional(),
  detectOnly: z.boolean().optional(),
  allowEmpty: z.boolean().optional(),
  // Take over live objects that exist without a Tideline inventory label (off: they are reported as conflicts).
  adoptExisting: z.boolean().optional(),
  ignoreRules: z
    .array(
      z.object({
        kind: z.string().max(63).optional(),
        group: z.string().max(253).optional(),
        name: z.string().max(253).optional(),
        namespace: z.string().max(63).optional(),
        jsonPointers: z.array(z.string().regex(/^\//, "a JSON pointer starts with '/' (e.g. /spec/replicas)").max(500)).min(1),
      }),
    )
    .max(100)
    .optional(),
  // Promotion and protection: approvals needed to promote or roll back into this environment,
  // how long the source must have been healthy, and what an unhealthy source means.
  requiredApprovals: z.number().int().min(0).max(10).optional(),
  soakMinutes: z.number().int().min(0).max(1440).optional(),
  unhealthySourcePolicy: z.enum(["warn", "block"]).optional(),
  syncAfterPromotion: z.boolean().optional(),
  promotionStrategy: z.enum(["images", "folder", "branch"]).optional(),
  // A promotion whose sync lands but leaves this environment unhealthy: "landed" ends it
  // "landed, target Degraded" (the next one may start); "healthy" fails it.
  promotionVerification: z.enum(["landed", "healthy"]).optional(),
  // Verification after each sync of a new revision (lib/verification): Healthy for this long (0: no
  // window; fractions for seconds), within the timeout; Jobs annotated tideline.dev/verify: "true" as
  // checks; an HTTP check on an allow-listed host; and rolling back to the last verified revision.
  verifyHealthyMinutes: z.number().min(0).max(1440).optional(),
  verifyTimeoutMinutes: z.number().min(0.05).max(1440).optional(),
  verifyJobs: z.boolean().optional(),
  verifyHttpUrl: z.string().trim().min(1).max(2000).nullable().optional(),
  verifyHttpStatus: z.number().int().min(100).max(599).optional(),
  verifyHttpTimeoutSeconds: z.number().int().min(1).max(300).optional(),
  autoRollback: z.boolean().optional(),
});

export const createEnvironmentInput = environmentSettings.extend({
  name: k8sName,
  repositoryId: z.string().min(1),
  // Omitted: the repository's default branch (its remote HEAD).
  branch: z.string().min(1).max(250).optional(),
  path: z.string().max(1000).default(""),
  clusterId: z.string().min(1),
  namespace: k8sName,
  renderer: z.enum(["auto", "plain", "kustomize", "helm"]).default("auto"),
  helmReleaseName: z.string().max(53).optional().nullable(),
  helmValuesFiles: z.array(z.string().max(500)).max(20).default([]),
  position: z.number().int().min(0).optional(),
});
export type CreateEnvironmentInput = z.infer<typeof createEnvironmentInput>;

// Where an environment deploys to is fixed: moving it would strand its live objects (delete it,
// choosing keep or prune, and add it again). Everything else is set by Tideline, not by a request.
const READ_ONLY: Record<string, string> = {
  clusterId: "the cluster an environment deploys to is fixed; delete the environment (keep or prune its objects) and add it again",
  namespace: "the namespace an environment deploys to is fixed; delete the environment (keep or prune its objects) and add it again",
  applicationId: "an environment stays in its application",
};
const readOnly = (field: keyof typeof READ_ONLY) => z.never({ error: `is read-only: ${READ_ONLY[field]}` }).optional();

/** PATCH /api/environments/:id: every setting and source field; an unknown or read-only field is a 422 naming it. */
export const updateEnvironmentInput = environmentSettings
  .extend({
    name: k8sName.optional(),
    repositoryId: z.string().min(1).optional(),
    branch: z.string().min(1).max(250).optional(),
    path: z.string().max(1000).optional(),
    renderer: z.enum(["auto", "plain", "kustomize", "helm"]).optional(),
    helmReleaseName: z.string().max(53).nullable().optional(),
    helmValuesFiles: z.array(z.string().min(1).max(500)).max(20).optional(),
    position: z.number().int().min(0).optional(),
    clusterId: readOnly("clusterId"),
    namespace: readOnly("namespace"),
    applicationId: readOnly("applicationId"),
  })
  .strict();
export type UpdateEnvironmentInput = z.infer<typeof updateEnvironmentInput>;

export const deleteQuery = z.object({
  prune: z.enum(["true", "false"], { error: "must be true (delete the live objects) or false (keep them)" }).transform((v) => v === "true"),
});

export const overviewQuery = z.object({
  q: z.string().max(100).optional(),
  syncStatus: z.enum(["Unknown", "Synced", "OutOfSync"]).optional(),
  health: z.enum(["Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"]).optional(),
  clusterId: z.string().max(50).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

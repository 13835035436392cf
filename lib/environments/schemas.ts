// Input schemas for applications and environments.
import { z } from "zod";

const k8sName = z.string().trim().min(1).max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be lowercase letters, digits and '-' (a Kubernetes DNS label)");

export const createApplicationInput = z.object({ name: k8sName, description: z.string().max(500).optional().nullable() });

export const environmentSettings = z.object({
  autoSync: z.boolean().optional(),
  prune: z.boolean().optional(),
  selfHeal: z.boolean().optional(),
  detectOnly: z.boolean().optional(),
  allowEmpty: z.boolean().optional(),
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
});

export const createEnvironmentInput = environmentSettings.extend({
  name: k8sName,
  repositoryId: z.string().min(1),
  branch: z.string().min(1).max(250),
  path: z.string().max(1000).default(""),
  clusterId: z.string().min(1),
  namespace: k8sName,
  renderer: z.enum(["auto", "plain", "kustomize", "helm"]).default("auto"),
  helmReleaseName: z.string().max(53).optional().nullable(),
  helmValuesFiles: z.array(z.string().max(500)).max(20).default([]),
  position: z.number().int().min(0).optional(),
});
export type CreateEnvironmentInput = z.infer<typeof createEnvironmentInput>;

export const overviewQuery = z.object({
  q: z.string().max(100).optional(),
  syncStatus: z.enum(["Unknown", "Synced", "OutOfSync"]).optional(),
  health: z.enum(["Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"]).optional(),
  clusterId: z.string().max(50).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

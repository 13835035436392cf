// Input schemas for the promotion, approval and rollback API routes.
import { z } from "zod";
import { freezeOverrideInput } from "../freeze/manage";

const id = z.string().trim().min(1).max(50);

export const previewPromotionInput = z.object({ sourceEnvironmentId: id, targetEnvironmentId: id });

export const createPromotionInput = previewPromotionInput.extend({
  previewHash: z.string().regex(/^[0-9a-f]{64}$/, "must be the previewHash of the preview you confirmed"),
  acknowledgeWarnings: z.boolean().default(false).describe("promote despite the preview's warnings (unhealthy or out-of-sync source)"),
  freezeOverride: freezeOverrideInput.optional(),
});

export const listPromotionsQuery = z.object({
  applicationId: id.optional(),
  environmentId: id.optional(),
  status: z.enum(["proposed", "awaiting_approval", "approved", "merged", "syncing", "succeeded", "landed_degraded", "rejected", "failed"]).optional(),
  inbox: z.enum(["0", "1"]).optional().describe("1: promotions waiting for my approval"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const decisionInput = z.object({
  decision: z.enum(["approved", "rejected"]),
  comment: z.string().max(5000).default(""),
});

export const overrideInput = z.object({ reason: z.string().trim().min(1, "say why the approvals are skipped").max(5000) });

export const rollbackInput = z.object({
  syncRunId: id,
  emergency: z.boolean().default(false).describe("admins: skip the approvals of a protected environment (audited)"),
  reason: z.string().trim().max(5000).optional(),
});

export const holdInput = z.object({
  reason: z.string().trim().min(1, "say why auto-sync is held").max(2000),
});

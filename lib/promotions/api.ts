// What the promotion API routes call beyond the core: the per-application permission check for
// routes whose application comes from the body, body parsing in that order (403 before 422),
// the preview as shown to people (no raw edits), and the approver inbox.
import type { z } from "zod";
import type { PrismaClient } from "../generated/prisma/client";
import { AppError } from "../errors";
import { effectiveRole } from "../auth/application-roles";
import { can, type Action } from "../auth/roles";
import { tokenAllows } from "../auth/api-tokens";
import type { SessionUser } from "../auth/sessions";
import { signatureOf } from "../changes/propose-change";
import type { ReconcileDeps } from "../reconcile/reconcile-environment";
import { previewPromotion } from "./preview";
import { listPromotions } from "./read-models";

/** Throws 403 unless the user's role on the application (or globally, when unknown) allows the action. */
export async function authorizeOnApplication(prisma: PrismaClient, user: SessionUser, applicationId: string | null, action: Action) {
  const role = await effectiveRole(prisma, user, applicationId);
  if (!can(role, action)) throw new AppError("forbidden", `Your role (${role}) may not perform ${action}${applicationId ? " on this application" : ""}`);
  if (!tokenAllows(user, action)) throw new AppError("forbidden", `This API token's scopes do not include ${action}`);
  return role;
}

/** The JSON body, unvalidated (routes check the permission on the application it names first). */
export async function readJsonBody(req: Request): Promise<Record<string, unknown>> {
  const text = await req.text();
  if (text.length > 1_000_000) throw new AppError("invalid", "Request body is larger than 1 MB");
  if (!text) return {};
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    throw new AppError("invalid", "Request body is not valid JSON");
  }
}

export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ field: i.path.join("."), message: i.message }));
    throw new AppError("invalid", `Invalid body: ${issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join("; ")}`, { issues });
  }
  return parsed.data;
}

/** The preview shown to a person: everything but the raw file edits (the diff carries them). */
export async function previewForUser(deps: ReconcileDeps, user: SessionUser, input: { sourceEnvironmentId: string; targetEnvironmentId: string }) {
  const { edits: _edits, ...preview } = await previewPromotion(deps, input.sourceEnvironmentId, input.targetEnvironmentId, signatureOf(user));
  return preview;
}

/** Waiting for my approval: not mine, not decided by me, on applications where I am an approver or admin. */
export async function approvalInbox(deps: Pick<ReconcileDeps, "prisma">, user: SessionUser, limit = 50) {
  const rows = await listPromotions(deps, { inboxFor: { id: user.id, username: user.username }, limit });
  const roles = new Map<string, boolean>();
  for (const appId of new Set(rows.map((r) => r.applicationId))) roles.set(appId, can(await effectiveRole(deps.prisma, user, appId), "promotion.approve"));
  return rows.filter((r) => roles.get(r.applicationId));
}

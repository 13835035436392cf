// What the promotion API routes call beyond the core: a second permission check on the same
// application (emergency rollbacks), the preview as shown to people, and the approver inbox.
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

// What the signed-in user may do on one application, for pages deciding which controls to show
// (the API enforces the same rules on every call).
import "server-only";
import { db } from "../db";
import { applicationOf, effectiveRole } from "./application-roles";
import { can, type Action } from "./roles";
import type { SessionUser } from "./sessions";

export async function allowedOnApplication(user: SessionUser, applicationId: string | null, actions: Action[]): Promise<Record<string, boolean>> {
  const role = await effectiveRole(db(), user, applicationId);
  return Object.fromEntries(actions.map((a) => [a, can(role, a)]));
}

export const applicationOfEnvironment = (id: string) => applicationOf.environment(db(), id);

// An environment's verification policy (columns on Environment) and the checks of its settings:
// verification is on when any part of it is, and the HTTP check may only call allow-listed hosts.
import type { Environment } from "../generated/prisma/client";
import { invalid } from "../errors";
import { assertAllowedDestination } from "../net/outbound-guard";

type Policy = Pick<Environment, "verifyHealthyMinutes" | "verifyTimeoutMinutes" | "verifyJobs" | "verifyHttpUrl" | "autoRollback">;

/** Verification runs after a sync when a window, checks, an HTTP check or auto-rollback is set. */
export const verifies = (env: Policy) => env.verifyHealthyMinutes > 0 || env.verifyJobs || Boolean(env.verifyHttpUrl) || env.autoRollback;

/** PATCH/create: the timeout must leave room for the window, and the HTTP check's host must be on TIDELINE_OUTBOUND_HOSTS. */
export function assertVerificationSettings(fields: Partial<Policy>, current: Policy | null, allowedHosts: string[]) {
  const window = fields.verifyHealthyMinutes ?? current?.verifyHealthyMinutes ?? 0;
  const timeout = fields.verifyTimeoutMinutes ?? current?.verifyTimeoutMinutes ?? 10;
  if (timeout < window)
    throw invalid(`verifyTimeoutMinutes: the timeout (${timeout} min) is shorter than the healthy window (${window} min); make it at least as long`, {
      field: "verifyTimeoutMinutes",
    });
  if (fields.verifyHttpUrl) assertAllowedDestination(fields.verifyHttpUrl, allowedHosts, "verifyHttpUrl");
}

type Settings = {
  verifyHealthyMinutes?: number;
  verifyTimeoutMinutes?: number;
  verifyJobs?: boolean;
  verifyHttpUrl?: string | null;
  verifyHttpStatus?: number;
  verifyHttpTimeoutSeconds?: number;
  autoRollback?: boolean;
};

/** The verification settings given at creation (the rest keep their column defaults). */
export function verificationFields(input: Settings) {
  const keys = [
    "verifyHealthyMinutes",
    "verifyTimeoutMinutes",
    "verifyJobs",
    "verifyHttpUrl",
    "verifyHttpStatus",
    "verifyHttpTimeoutSeconds",
    "autoRollback",
  ] as const;
  return Object.fromEntries(keys.filter((k) => input[k] !== undefined).map((k) => [k, input[k]])) as Settings;
}

// Sign-in and webhook limits, read and validated once from the environment (documented in the
// README's configuration table and docs/decisions.md).
import { z } from "zod";
import type { BlockList } from "node:net";
import { parseTrustedProxies } from "./client-address";

const count = (fallback: number) => z.coerce.number().int().min(1).max(1_000_000).default(fallback);

const schema = z.object({
  /** Failed sign-ins in a row that lock a local account for one client address (for every client when its address is unknown). */
  TIDELINE_LOGIN_MAX_FAILURES: count(5),
  /** Failed sign-ins in a row, from any addresses, that lock a local account for everyone. */
  TIDELINE_LOGIN_ACCOUNT_MAX_FAILURES: count(50),
  /** How long the lock lasts; it then expires on its own. */
  TIDELINE_LOGIN_LOCK_MINUTES: count(15),
  /** Failed sign-ins one client address may make per window (any accounts, known or not). */
  TIDELINE_LOGIN_ADDRESS_MAX_FAILURES: count(20),
  TIDELINE_LOGIN_ADDRESS_WINDOW_MINUTES: count(15),
  /** Webhook deliveries per minute from one address, and to one repository. */
  TIDELINE_WEBHOOK_ADDRESS_LIMIT: count(300),
  TIDELINE_WEBHOOK_REPOSITORY_LIMIT: count(60),
  /** Proxies whose X-Forwarded-For is believed (addresses or CIDR ranges, comma-separated). */
  TIDELINE_TRUSTED_PROXIES: z.string().default(""),
});

export interface LoginPolicy {
  /** Failures in a row that lock the account for the address they came from (for everyone when unknown). */
  maxFailures: number;
  /** Failures in a row, from any addresses, that lock the account for everyone. */
  accountMaxFailures: number;
  lockMs: number;
  address: { max: number; windowSeconds: number };
}

export interface LimitsConfig {
  login: LoginPolicy;
  webhook: { perAddress: { max: number; windowSeconds: number }; perRepository: { max: number; windowSeconds: number } };
  trustedProxies: BlockList | null;
}

export const DEFAULT_LOGIN_POLICY: LoginPolicy = { maxFailures: 5, accountMaxFailures: 50, lockMs: 15 * 60_000, address: { max: 20, windowSeconds: 15 * 60 } };

let cached: LimitsConfig | undefined;

export function limitsConfig(): LimitsConfig {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    throw new Error(`Invalid Tideline configuration: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  const e = parsed.data;
  cached = {
    login: {
      maxFailures: e.TIDELINE_LOGIN_MAX_FAILURES,
      accountMaxFailures: Math.max(e.TIDELINE_LOGIN_ACCOUNT_MAX_FAILURES, e.TIDELINE_LOGIN_MAX_FAILURES),
      lockMs: e.TIDELINE_LOGIN_LOCK_MINUTES * 60_000,
      address: { max: e.TIDELINE_LOGIN_ADDRESS_MAX_FAILURES, windowSeconds: e.TIDELINE_LOGIN_ADDRESS_WINDOW_MINUTES * 60 },
    },
    webhook: {
      perAddress: { max: e.TIDELINE_WEBHOOK_ADDRESS_LIMIT, windowSeconds: 60 },
      perRepository: { max: e.TIDELINE_WEBHOOK_REPOSITORY_LIMIT, windowSeconds: 60 },
    },
    trustedProxies: parseTrustedProxies(e.TIDELINE_TRUSTED_PROXIES),
  };
  return cached;
}

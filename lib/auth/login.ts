// Checks a username and password and opens a session. Brute force is bounded three times, each
// counted atomically in Postgres (every replica agrees; parallel attempts cannot slip past a stale
// count), and every try is claimed BEFORE its password is checked:
// - per account and client address: `maxFailures` failures in a row lock the account for that
//   address only, so an attacker cannot keep the owner, who signs in from elsewhere, locked out;
// - per account: `accountMaxFailures` failures in a row from any addresses (guessing spread over
//   many addresses) lock it for everyone; when the client's address is unknown, `maxFailures` does.
//   The lock expires after `lockMs`; a success gives the tries back;
// - per client address: `address.max` failed sign-ins per window, whatever the accounts (429).
// Unknown, locked, disabled and wrong-password sign-ins get one and the same answer, after one
// argon2 verification each (a dummy hash when there is no usable one), so none can be told apart.
import "server-only";
import type { PrismaClient } from "../generated/prisma/client";
import { AppError } from "../errors";
import { forget, hit, release, type Hit } from "../rate-limit/counter";
import { addressKey, UNKNOWN_ADDRESS } from "../rate-limit/client-address";
import { DEFAULT_LOGIN_POLICY, type LoginPolicy } from "../rate-limit/config";
import { verifyPassword } from "./password";
import { createSession } from "./sessions";

export const MAX_FAILED_LOGINS = DEFAULT_LOGIN_POLICY.maxFailures;
export const LOCKOUT_MS = DEFAULT_LOGIN_POLICY.lockMs;

/** The one answer to every refused sign-in (the account's state is never revealed). */
export const SIGN_IN_REFUSED = "Wrong username or password (after repeated failures an account is locked for a while)";

export type RefusalReason = "unknown_user" | "locked" | "wrong_password" | "disabled";

/** A refused sign-in. `reason` and `lockedNow` are for the audit log only, never the HTTP answer. */
export class SignInRefused extends AppError {
  constructor(
    readonly reason: RefusalReason,
    readonly lockedNow = false,
  ) {
    super("unauthenticated", SIGN_IN_REFUSED);
    this.name = "SignInRefused";
  }
}

export interface LoginInput {
  username: string;
  password: string;
  ttlHours: number;
  /** The client's address (lib/rate-limit/client-address.ts); without one, only the account limit applies. */
  clientAddress?: string | null;
}

export interface LoginOptions {
  policy?: LoginPolicy;
  /** The password check (argon2); replaceable so tests can count how many checks ran. */
  verify?: (passwordHash: string | null, password: string) => Promise<boolean>;
}

type Claimed = { id: string; passwordHash: string; disabled: boolean; failedLogins: number };

const NOW = `(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')`;

/** Claims one of `maxFailures` tries on the account, or returns null when it is locked or does not exist. */
async function claimTry(prisma: PrismaClient, username: string, maxFailures: number, policy: LoginPolicy): Promise<Claimed | null> {
  // A lock still on the row here has expired (WHERE): counting starts again from zero.
  const rows = await prisma.$queryRawUnsafe<Claimed[]>(
    `UPDATE "User" SET
       "failedLogins" = (CASE WHEN "lockedUntil" IS NULL THEN "failedLogins" ELSE 0 END) + 1,
       "lockedUntil" = CASE WHEN (CASE WHEN "lockedUntil" IS NULL THEN "failedLogins" ELSE 0 END) + 1 >= $2::int
                            THEN ${NOW} + make_interval(secs => $3::double precision) ELSE NULL END
     WHERE "username" = $1 AND ("lockedUntil" IS NULL OR "lockedUntil" <= ${NOW})
     RETURNING "id", "passwordHash", "disabled", "failedLogins"`,
    username,
    maxFailures,
    policy.lockMs / 1000,
  );
  return rows[0] ?? null;
}

export async function login(prisma: PrismaClient, input: LoginInput, opts: LoginOptions = {}) {
  const policy = opts.policy ?? DEFAULT_LOGIN_POLICY;
  const verify = opts.verify ?? verifyPassword;
  const username = input.username.trim().toLowerCase();

  // Per address first: a client past its budget costs one upsert, not an argon2 verification.
  const client = input.clientAddress && input.clientAddress !== UNKNOWN_ADDRESS ? addressKey(input.clientAddress) : null;
  const address = client ? `login:address:${client}` : null;
  let addressHit: Hit | null = null;
  if (address) {
    addressHit = await hit(prisma, address, policy.address);
    if (!addressHit.allowed) {
      const minutes = Math.ceil(addressHit.retryAfterSeconds / 60);
      throw new AppError("rate_limited", `Too many failed sign-ins from your address; try again in ${minutes} minute${minutes === 1 ? "" : "s"}`, {
        retryAfterSeconds: addressHit.retryAfterSeconds,
      });
    }
  }

  // This address's tries on this account (the lock only this address sees).
  const pair = client ? `login:account:${client}:${username}` : null;
  const pairHit = pair ? await hit(prisma, pair, { max: policy.maxFailures, windowSeconds: policy.lockMs / 1000 }) : null;
  const accountLimit = pair ? policy.accountMaxFailures : policy.maxFailures;
  const claimed = pairHit && !pairHit.allowed ? null : await claimTry(prisma, username, accountLimit, policy);
  if (!claimed) {
    const exists = await prisma.user.findUnique({ where: { username }, select: { id: true } });
    await verify(null, input.password); // same cost as a real check
    throw new SignInRefused(exists ? "locked" : "unknown_user");
  }
  const ok = await verify(claimed.passwordHash, input.password);
  if (!ok || claimed.disabled) {
    const lockedNow = claimed.failedLogins >= accountLimit || (pairHit?.count ?? 0) >= policy.maxFailures;
    throw new SignInRefused(ok ? "disabled" : "wrong_password", lockedNow);
  }

  const user = await prisma.user.update({ where: { id: claimed.id }, data: { failedLogins: 0, lockedUntil: null } });
  if (pair) await forget(prisma, pair);
  if (address && addressHit) await release(prisma, address, addressHit);
  const session = await createSession(prisma, user.id, input.ttlHours);
  return { user, ...session };
}

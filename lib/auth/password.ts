// Password hashing with argon2id (OWASP-recommended parameters).
import "server-only";
import { hash, verify } from "@node-rs/argon2";

const OPTIONS = { algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
// Verified against when the user does not exist, so timing does not reveal valid usernames.
const DUMMY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$LQiUDxBzPlpeuMegw35V4w$jYFZV3ZCBIaY++SJFp9gqd/fJlHXLQ6TLDf7MZAGtu4";

export const hashPassword = (password: string) => hash(password, OPTIONS);

/**
 * Whether `password` matches `passwordHash`. Without a usable hash (unknown user, or an SSO-only
 * account's "!sso-only" marker) the dummy hash is verified instead, so every answer costs one argon2 run.
 */
export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  const usable = passwordHash?.startsWith("$argon2") ? passwordHash : null;
  try {
    const ok = await verify(usable ?? DUMMY_HASH, password);
    return usable !== null && ok;
  } catch {
    return false;
  }
}

export function checkPasswordStrength(password: string): string | null {
  if (password.length < 10) return "Password must be at least 10 characters long";
  if (password.length > 256) return "Password must be at most 256 characters long";
  return null;
}

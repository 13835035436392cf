// The process-wide keyring built from the environment.
import "server-only";
import { env } from "../env";
import { keyringFrom, type Keyring, encryptSecret, decryptSecret } from "./secrets";

let cached: Keyring | undefined;

function keyring(): Keyring {
  cached ??= keyringFrom(env().TIDELINE_SECRET_KEY, env().TIDELINE_PREVIOUS_SECRET_KEYS);
  return cached;
}

export const seal = (plaintext: string) => encryptSecret(plaintext, keyring());
export const unseal = (sealed: string) => decryptSecret(sealed, keyring());

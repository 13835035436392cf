// `npm run rotate-key`: re-encrypts stored credentials with TIDELINE_SECRET_KEY, reading
// values made with any key in TIDELINE_PREVIOUS_SECRET_KEYS. Needs DATABASE_URL.
import { keyringFrom } from "../lib/crypto/secrets";
import { rotateStoredCredentials } from "../lib/crypto/rotate-credentials";
import { db } from "../lib/db";
import { env } from "../lib/env";

const keyring = keyringFrom(env().TIDELINE_SECRET_KEY, env().TIDELINE_PREVIOUS_SECRET_KEYS);
const done = await rotateStoredCredentials(db(), keyring);
console.log(
  `Re-encrypted ${done.repositories} repository token(s) , ${done.clusters} kubeconfig(s) and ${done.notificationChannels} notification channel(s) with key ${done.keyId}.`,
);
await db().$disconnect();

// Re-encrypts every stored credential with the current key, so an old key can be retired
// (move it to TIDELINE_PREVIOUS_SECRET_KEYS, run this, then drop it). Idempotent.
import "server-only";
import type { PrismaClient } from "../generated/prisma/client";
import { decryptSecret, encryptSecret, keyId, type Keyring } from "./secrets";

export async function rotateStoredCredentials(prisma: PrismaClient, keyring: Keyring) {
  const current = keyId(keyring.current);
  const needs = (sealed: string | null): sealed is string => Boolean(sealed) && sealed!.split(":")[1] !== current;
  let repositories = 0;
  let clusters = 0;
  for (const r of await prisma.repository.findMany({ select: { id: true, encryptedToken: true } })) {
    if (!needs(r.encryptedToken)) continue;
    await prisma.repository.update({ where: { id: r.id }, data: { encryptedToken: encryptSecret(decryptSecret(r.encryptedToken, keyring), keyring) } });
    repositories += 1;
  }
  for (const c of await prisma.cluster.findMany({ select: { id: true, encryptedKubeconfig: true } })) {
    if (!needs(c.encryptedKubeconfig)) continue;
    await prisma.cluster.update({ where: { id: c.id }, data: { encryptedKubeconfig: encryptSecret(decryptSecret(c.encryptedKubeconfig, keyring), keyring) } });
    clusters += 1;
  }
  // Notification channels: the destination URL (Slack hooks carry their secret in it) and the signing secret.
  let notificationChannels = 0;
  for (const ch of await prisma.notificationChannel.findMany({ select: { id: true, encryptedUrl: true, encryptedSecret: true } })) {
    if (!needs(ch.encryptedUrl) && !needs(ch.encryptedSecret)) continue;
    const again = (sealed: string | null) => (needs(sealed) ? encryptSecret(decryptSecret(sealed, keyring), keyring) : sealed);
    await prisma.notificationChannel.update({
      where: { id: ch.id },
      data: { encryptedUrl: again(ch.encryptedUrl), encryptedSecret: again(ch.encryptedSecret) },
    });
    notificationChannels += 1;
  }
  return { repositories, clusters, notificationChannels, keyId: current };
}

// Key rotation without losing stored credentials: values sealed with the old key are
// re-encrypted with the new one and still decrypt once the old key is gone.
import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import { decryptSecret, encryptSecret, keyringFrom } from "../../lib/crypto/secrets";
import { rotateStoredCredentials } from "../../lib/crypto/rotate-credentials";
import { prisma, uniqueName } from "../helpers/db";

it("re-encrypts repository tokens and kubeconfigs with the new key", async () => {
  // The new key is this test run's configured key, so credentials other tests stored are already current.
  const oldKey = randomBytes(32).toString("base64");
  const newKey = process.env.TIDELINE_SECRET_KEY!;
  const before = keyringFrom(oldKey);
  const repo = await prisma().repository.create({
    data: { name: uniqueName("rot"), url: "https://git.example.com/x.git", encryptedToken: encryptSecret("repo-token", before) },
  });
  const cluster = await prisma().cluster.create({
    data: { name: uniqueName("rot").toLowerCase(), server: "https://k", encryptedKubeconfig: encryptSecret("kubeconfig-yaml", before) },
  });

  const channel = await prisma().notificationChannel.create({
    data: {
      name: uniqueName("rot"),
      type: "webhook",
      encryptedUrl: encryptSecret("https://hooks.example.com/x", before),
      encryptedSecret: encryptSecret("signing-secret", before),
      createdByName: "t",
    },
  });
  const rotated = await rotateStoredCredentials(prisma(), keyringFrom(newKey, oldKey));
  expect(rotated.notificationChannels).toBeGreaterThanOrEqual(1);
  expect(rotated.repositories).toBeGreaterThanOrEqual(1);
  expect(rotated.clusters).toBeGreaterThanOrEqual(1);

  const onlyNew = keyringFrom(newKey);
  const r = await prisma().repository.findUniqueOrThrow({ where: { id: repo.id } });
  const c = await prisma().cluster.findUniqueOrThrow({ where: { id: cluster.id } });
  expect(decryptSecret(r.encryptedToken!, onlyNew)).toBe("repo-token");
  expect(decryptSecret(c.encryptedKubeconfig!, onlyNew)).toBe("kubeconfig-yaml");
  const ch = await prisma().notificationChannel.findUniqueOrThrow({ where: { id: channel.id } });
  expect(decryptSecret(ch.encryptedUrl!, onlyNew)).toBe("https://hooks.example.com/x");
  expect(decryptSecret(ch.encryptedSecret!, onlyNew)).toBe("signing-secret");
  await prisma().notificationChannel.delete({ where: { id: channel.id } });
  await prisma().repository.delete({ where: { id: repo.id } });
  await prisma().cluster.delete({ where: { id: cluster.id } });
});

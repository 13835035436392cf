// The installation-wide secret CI jobs sign image webhooks with (X-Tideline-Signature): generated
// on request, sealed at rest in InstallationSecret "ci-webhook", and shown exactly once.
import { randomBytes } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client";

export const CI_WEBHOOK_SECRET_NAME = "ci-webhook";

/** Creates or replaces the secret; the plain value is returned only here. */
export async function rotateCiSecret(deps: { prisma: PrismaClient; seal: (plain: string) => string }) {
  const secret = `whsec_${randomBytes(32).toString("base64url")}`;
  const sealed = deps.seal(secret);
  const row = await deps.prisma.installationSecret.upsert({
    where: { name: CI_WEBHOOK_SECRET_NAME },
    create: { name: CI_WEBHOOK_SECRET_NAME, sealed },
    update: { sealed, createdAt: new Date() },
  });
  return { secret, createdAt: row.createdAt.toISOString() };
}

export async function readCiSecret(deps: { prisma: PrismaClient; unseal: (sealed: string) => string }): Promise<string | null> {
  const row = await deps.prisma.installationSecret.findUnique({ where: { name: CI_WEBHOOK_SECRET_NAME } });
  return row ? deps.unseal(row.sealed) : null;
}

export async function ciSecretStatus(prisma: PrismaClient) {
  const row = await prisma.installationSecret.findUnique({ where: { name: CI_WEBHOOK_SECRET_NAME }, select: { createdAt: true } });
  return { configured: Boolean(row), createdAt: row?.createdAt.toISOString() ?? null };
}

import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { deleteRepository, getRepository } from "@/lib/repositories/manage";
import { repositoryProviderSettings } from "@/lib/changes/api";
import { updateRepository, updateRepositoryInput } from "@/lib/repositories/update-repository";
import { seal, unseal } from "@/lib/crypto/keyring";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

const params = z.object({ id: z.string().min(1) });

export const GET = apiRoute({ action: "repository.read", params }, async ({ params }) => ({
  repository: { ...(await getRepository(db(), params.id)), ...(await repositoryProviderSettings(db(), params.id)) },
}));

/** Remote URL, credentials, and where change requests are opened (Tideline itself, GitHub or GitLab). */
export const PATCH = apiRoute({ action: "repository.create", params, body: updateRepositoryInput }, async ({ params, body, user }) => {
  const { before, after, credentialsCleared } = await updateRepository({ prisma: db(), seal, unseal }, params.id, body);
  await recordAudit(db(), {
    actor: user,
    action: "repository.configure",
    targetType: "repository",
    targetId: params.id,
    details: { before, after, ...(credentialsCleared ? { credentialsCleared } : {}) },
  });
  return { repository: { ...(await getRepository(db(), params.id)), ...(await repositoryProviderSettings(db(), params.id)) }, credentialsCleared };
});

export const DELETE = apiRoute({ action: "repository.delete", params }, async ({ params, user }) => {
  const removed = await deleteRepository(db(), env().mirrorsDir, params.id);
  await recordAudit(db(), {
    actor: user,
    action: "repository.delete",
    targetType: "repository",
    targetId: removed.id,
    details: { name: removed.name, url: removed.url },
  });
  return { ok: true };
});

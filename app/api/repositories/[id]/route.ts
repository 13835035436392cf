import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { deleteRepository, getRepository } from "@/lib/repositories/manage";
import { repositoryProviderSettings, setRepositoryProvider } from "@/lib/changes/api";
import { repositoryProviderInput } from "@/lib/changes/schemas";
import { unseal } from "@/lib/crypto/keyring";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

const params = z.object({ id: z.string().min(1) });

export const GET = apiRoute({ action: "repository.read", params }, async ({ params }) => ({
  repository: { ...(await getRepository(db(), params.id)), ...(await repositoryProviderSettings(db(), params.id)) },
}));

/** Where change requests are opened: Tideline itself ("git"), GitHub or GitLab. */
export const PATCH = apiRoute({ action: "repository.create", params, body: repositoryProviderInput }, async ({ params, body, user }) => {
  const { before, after } = await setRepositoryProvider({ prisma: db(), unseal }, params.id, body);
  await recordAudit(db(), { actor: user, action: "repository.configure", targetType: "repository", targetId: params.id, details: { before, after } });
  return { repository: { ...(await getRepository(db(), params.id)), ...after } };
});

export const DELETE = apiRoute({ action: "repository.delete", params }, async ({ params, user }) => {
  const removed = await deleteRepository(db(), env().mirrorsDir, params.id);
  await recordAudit(db(), { actor: user, action: "repository.delete", targetType: "repository", targetId: removed.id, details: { name: removed.name, url: removed.url } });
  return { ok: true };
});

import { apiRoute } from "@/lib/api/handler";
import { addRepository } from "@/lib/repositories/add-repository";
import { addRepositoryInput } from "@/lib/repositories/schemas";
import { listRepositories, publicRepository } from "@/lib/repositories/manage";
import { recordAudit } from "@/lib/audit/record";
import { jobs, sealDeps } from "@/server/root";
import { db } from "@/lib/db";

export const GET = apiRoute({ action: "repository.read" }, async () => ({ items: await listRepositories(db()) }));

export const POST = apiRoute({ action: "repository.create", body: addRepositoryInput }, async ({ body, user }) => {
  const repo = await addRepository(sealDeps(), body, user.id);
  await recordAudit(db(), {
    actor: user,
    action: "repository.create",
    targetType: "repository",
    targetId: repo.id,
    details: { name: repo.name, url: repo.url },
  });
  await jobs().send("repository.fetch", { repositoryId: repo.id, reason: "repository added" });
  return Response.json({ repository: publicRepository(repo) }, { status: 201 });
});

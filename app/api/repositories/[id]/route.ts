import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { deleteRepository, getRepository } from "@/lib/repositories/manage";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

const params = z.object({ id: z.string().min(1) });

export const GET = apiRoute({ action: "repository.read", params }, async ({ params }) => ({ repository: await getRepository(db(), params.id) }));

export const DELETE = apiRoute({ action: "repository.delete", params }, async ({ params, user }) => {
  const removed = await deleteRepository(db(), env().mirrorsDir, params.id);
  await recordAudit(db(), { actor: user, action: "repository.delete", targetType: "repository", targetId: removed.id, details: { name: removed.name, url: removed.url } });
  return { ok: true };
});

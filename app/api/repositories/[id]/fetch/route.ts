import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { recordAudit } from "@/lib/audit/record";
import { notFound } from "@/lib/errors";
import { db } from "@/lib/db";
import { jobs } from "@/server/root";

const params = z.object({ id: z.string().min(1) });

/** "Fetch now": queues the fetch (one more after a running one) and answers at once; the page follows the repository's status. */
export const POST = apiRoute({ action: "repository.fetch", params }, async ({ params, user }) => {
  const repo = await db().repository.findUnique({ where: { id: params.id }, select: { id: true } });
  if (!repo) throw notFound(`Repository ${params.id} does not exist`);
  const jobId = await jobs().send("repository.fetch", { repositoryId: params.id, reason: `fetch now by ${user.username}` });
  await recordAudit(db(), { actor: user, action: "repository.fetch", targetType: "repository", targetId: params.id, details: { jobId } });
  return Response.json({ status: "queued", jobId }, { status: 202 });
});

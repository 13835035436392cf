import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { deleteCluster, publicCluster } from "@/lib/clusters/manage-clusters";
import { recordAudit } from "@/lib/audit/record";
import { notFound } from "@/lib/errors";
import { db } from "@/lib/db";

const params = z.object({ id: z.string().min(1) });

export const GET = apiRoute({ action: "cluster.read", params }, async ({ params }) => {
  const cluster = await db().cluster.findUnique({ where: { id: params.id } });
  if (!cluster) throw notFound(`Cluster ${params.id} does not exist`);
  return { cluster: publicCluster(cluster) };
});

export const DELETE = apiRoute({ action: "cluster.manage", params }, async ({ params, user }) => {
  const removed = await deleteCluster(db(), params.id);
  await recordAudit(db(), { actor: user, action: "cluster.delete", targetType: "cluster", targetId: removed.id, details: { name: removed.name } });
  return { ok: true };
});

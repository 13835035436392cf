import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { checkCluster } from "@/lib/clusters/manage-clusters";
import { clusterDeps } from "@/server/root";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";

export const POST = apiRoute({ action: "cluster.check", params: z.object({ id: z.string().min(1) }) }, async ({ params, user }) => {
  const result = await checkCluster(clusterDeps(), params.id);
  await recordAudit(db(), { actor: user, action: "cluster.check", targetType: "cluster", targetId: params.id, details: { status: result.cluster.status } });
  return result;
});

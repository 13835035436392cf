import { apiRoute } from "@/lib/api/handler";
import { listClusters, registerCluster } from "@/lib/clusters/manage-clusters";
import { registerClusterInput } from "@/lib/clusters/schemas";
import { recordAudit } from "@/lib/audit/record";
import { clusterDeps } from "@/server/root";
import { db } from "@/lib/db";

export const GET = apiRoute({ action: "cluster.read" }, async () => ({ items: await listClusters(db()) }));

export const POST = apiRoute({ action: "cluster.manage", body: registerClusterInput }, async ({ body, user }) => {
  const { cluster, report } = await registerCluster(clusterDeps(), body);
  await recordAudit(db(), {
    actor: user,
    action: "cluster.create",
    targetType: "cluster",
    targetId: cluster.id,
    details: { name: cluster.name, server: cluster.server, context: cluster.contextName },
  });
  return Response.json({ cluster, report }, { status: 201 });
});

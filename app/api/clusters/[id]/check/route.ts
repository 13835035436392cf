import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { checkCluster } from "@/lib/clusters/manage-clusters";
import { clusterDeps } from "@/lib/services";

export const POST = apiRoute({ action: "cluster.check", params: z.object({ id: z.string().min(1) }) }, async ({ params }) => checkCluster(clusterDeps(), params.id));

import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { listLiveObjects } from "@/lib/clusters/live-objects";
import { clusterDeps } from "@/server/root";

const query = z.object({
  apiVersion: z.string().min(1).max(120).default("v1"),
  kind: z.string().min(1).max(63),
  namespace: z.string().max(63).optional(),
  labelSelector: z.string().max(1000).optional(),
});

/** Live objects from the watch-backed cache (no LIST per request). Secret values are masked. */
export const GET = apiRoute({ action: "cluster.read", params: z.object({ id: z.string().min(1) }), query }, async ({ params, query }) =>
  listLiveObjects(clusterDeps(), params.id, query),
);

// Re-checks every cluster's connection periodically, so the Clusters page shows a server
// that went away (and came back) without anyone pressing "Check now".
import { checkCluster } from "./manage-clusters";
import { clusterDeps } from "../services";
import { db } from "../db";

let timer: NodeJS.Timeout | undefined;

export function startPeriodicClusterChecks(seconds: number): void {
  if (timer || seconds <= 0) return;
  const tick = async () => {
    const clusters = await db().cluster.findMany({ select: { id: true } }).catch(() => []);
    for (const c of clusters) await checkCluster(clusterDeps(), c.id).catch(() => {});
  };
  timer = setInterval(() => void tick(), seconds * 1000);
  timer.unref();
}

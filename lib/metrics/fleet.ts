// Figures read from the database when Prometheus scrapes (not counted in memory): environments by
// sync status and health, one info series per environment, and the job queues' depth and age.
// They are the same from every process, so only the web endpoint reports them (docs/decisions.md).
import type { PrismaClient } from "../generated/prisma/client";
import { queueFigures, type JobsAdminDeps } from "../jobs/admin";
import type { Metrics } from "./definitions";

export interface FleetSources {
  prisma: PrismaClient;
  jobs: JobsAdminDeps;
  onError?: (source: string, error: unknown) => void;
}

export async function refreshFleetGauges(m: Metrics, sources: FleetSources): Promise<void> {
  const [environments, queues] = await Promise.allSettled([
    // One read of the environments table gives both the per-status counts and the info series
    // (one SQL statement: Prisma's nested select would send three and build 1,000 nested objects).
    sources.prisma.$queryRaw<Array<{ id: string; name: string; syncStatus: string; health: string; application: string; cluster: string }>>`
      SELECT e.id, e.name, e."syncStatus"::text AS "syncStatus", e.health::text AS health, a.name AS application, c.name AS cluster
      FROM "Environment" e JOIN "Application" a ON a.id = e."applicationId" JOIN "Cluster" c ON c.id = e."clusterId"`,
    queueFigures(sources.jobs),
  ]);
  // Reset and set with no await in between, so a concurrent scrape never sees half a refresh.
  m.environments.reset();
  m.environmentInfo.reset();
  if (environments.status === "fulfilled") {
    const counts = new Map<string, { sync_status: string; health: string; n: number }>();
    for (const e of environments.value) {
      const key = `${e.syncStatus}|${e.health}`;
      const entry = counts.get(key) ?? counts.set(key, { sync_status: e.syncStatus, health: e.health, n: 0 }).get(key)!;
      entry.n += 1;
      m.environmentInfo.set({ environment_id: e.id, application: e.application, environment: e.name, cluster: e.cluster }, 1);
    }
    for (const { n, ...labels } of counts.values()) m.environments.set(labels, n);
  } else {
    m.scrapeErrors.inc({ source: "environments" });
    sources.onError?.("environments", environments.reason);
  }
  m.jobQueueDepth.reset();
  m.jobQueueOldest.reset();
  if (queues.status === "fulfilled") {
    for (const q of queues.value) {
      m.jobQueueDepth.set({ queue: q.name, state: "queued" }, q.queued - q.deferred);
      m.jobQueueDepth.set({ queue: q.name, state: "deferred" }, q.deferred);
      m.jobQueueDepth.set({ queue: q.name, state: "active" }, q.active);
      m.jobQueueOldest.set({ queue: q.name }, q.oldestWaitingSeconds ?? 0);
    }
  } else {
    m.scrapeErrors.inc({ source: "job_queues" });
    sources.onError?.("job_queues", queues.reason);
  }
}

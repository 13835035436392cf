// Makes the cluster match Git for one environment: server-side apply wave by wave, prune
// what left Git (only objects in this environment's inventory), then wait for health.
// Every step is written to the SyncRun as it happens, so progress shows live and a
// failure midway is never unrecorded.
import type { Prisma, PrismaClient } from "../generated/prisma/client";
import type { ClusterCache } from "../kube/cluster-cache";
import { AppError } from "../errors";
import { assessHealth } from "../kube/health";
import { KubeError, kubeRequest } from "../kube/transport";
import { deleteObject, serverSideApply } from "./apply";
import { planWaves } from "./sync-order";
import type { DesiredObject } from "./desired";
import type { ObjectReport } from "./drift";

export interface SyncOutcome {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  action: "applied" | "unchanged" | "pruned" | "failed" | "skipped";
  message: string;
  health?: string;
  at: string;
}

export interface SyncRequest {
  prisma: PrismaClient;
  cache: ClusterCache;
  environmentId: string;
  revision: string;
  desired: DesiredObject[];
  reports: ObjectReport[];
  trigger: "manual" | "auto" | "self-heal" | "rollback";
  /** The environment's namespace, created first when missing (like Argo CD's CreateNamespace). */
  namespace: string;
  actorName: string;
  prune: boolean;
  allowEmpty: boolean;
  /** Only these objects (ids from drift.idOf); all when absent. */
  only?: Set<string>;
  healthTimeoutMs?: number;
  /** Called once the SyncRun row exists (lets an API answer with its id while the sync goes on). */
  onStarted?: (runId: string) => void;
}

const key = (o: { apiVersion: string; kind: string; namespace: string; name: string }) => `${o.apiVersion}|${o.kind}|${o.namespace}|${o.name}`;

export async function syncEnvironment(req: SyncRequest): Promise<{ runId: string; status: string }> {
  const { prisma } = req;
  const run = await prisma.syncRun.create({
    data: { environmentId: req.environmentId, trigger: req.trigger, revision: req.revision, actorName: req.actorName, status: "running", prune: req.prune },
  });
  req.onStarted?.(run.id);
  const results: SyncOutcome[] = [];
  // Progress is written at most every 300 ms (and at the end), so a 1,000-object sync
  // does not rewrite its growing result list 1,000 times.
  let lastFlush = 0;
  const flush = () => prisma.syncRun.update({ where: { id: run.id }, data: { results: results as unknown as Prisma.InputJsonValue } });
  const record = async (o: Omit<SyncOutcome, "at">) => {
    results.push({ ...o, at: new Date().toISOString() });
    if (Date.now() - lastFlush > 300 || o.action === "failed") {
      lastFlush = Date.now();
      await flush();
    }
  };
  const status = new Map(req.reports.map((r) => [key(r), r]));
  const selected = (o: { apiVersion: string; kind: string; namespace: string; name: string }) => !req.only || req.only.has(key(o));
  let failed = 0;
  try {
    const blocked = req.desired.filter((d) => d.error);
    if (blocked.length > 0 && !req.only) {
      throw new AppError("invalid", `Sync blocked: ${blocked.length} object(s) cannot be applied (${blocked[0]!.error})`);
    }
    await ensureNamespace(req, record);
    let stop = false;
    for (const wave of planWaves(req.desired.filter((d) => !d.error && d.type))) {
      for (const d of wave) {
        const id = { apiVersion: d.manifest.apiVersion, kind: d.manifest.kind, namespace: d.manifest.metadata.namespace ?? "", name: d.manifest.metadata.name };
        if (!selected(id)) continue;
        if (stop) {
          await record({ ...id, action: "skipped", message: "an earlier wave failed" });
          continue;
        }
        if (status.get(key(id))?.syncStatus === "Synced") {
          await record({ ...id, action: "unchanged", message: "already matches Git" });
          continue;
        }
        try {
          await serverSideApply(req.cache.client, d.type!, d.manifest, { dryRun: false });
          await record({ ...id, action: "applied", message: status.get(key(id))?.syncStatus === "Missing" ? "created" : "configured" });
        } catch (e) {
          failed += 1;
          await record({ ...id, action: "failed", message: e instanceof AppError ? e.message : String(e) });
        }
      }
      if (failed > 0) stop = true; // later waves depend on this one
    }

    const extraneous = req.reports.filter((r) => r.syncStatus === "Extraneous" && selected(r));
    const emptyRender = req.desired.length === 0;
    if (req.prune && extraneous.length > 0) {
      if (emptyRender && !req.allowEmpty) {
        for (const r of extraneous) await record({ ...r, action: "skipped", message: "not pruned: Git rendered no objects (allow empty renders to prune everything)" });
      } else {
        for (const r of extraneous) {
          try {
            const type = await req.cache.discovery.resolve(r.apiVersion, r.kind);
            await deleteObject(req.cache.client, type, r.namespace || undefined, r.name);
            await record({ ...r, action: "pruned", message: "deleted: no longer in Git" });
          } catch (e) {
            failed += 1;
            await record({ ...r, action: "failed", message: `prune failed: ${e instanceof AppError ? e.message : String(e)}` });
          }
        }
      }
    }

    await flush();
    const healthy = failed === 0 ? await waitForHealth(req, results) : false;
    const final = failed > 0 ? (results.some((r) => r.action === "applied") ? "partial" : "failed") : healthy ? "succeeded" : "degraded";
    await prisma.syncRun.update({
      where: { id: run.id },
      data: { status: final, finishedAt: new Date(), results: results as unknown as Prisma.InputJsonValue, error: failed > 0 ? `${failed} object(s) failed` : healthy ? null : "objects applied but not healthy within the timeout" },
    });
    if (failed === 0) await prisma.environment.update({ where: { id: req.environmentId }, data: { syncedRevision: req.revision } });
    return { runId: run.id, status: final };
  } catch (e) {
    await prisma.syncRun.update({
      where: { id: run.id },
      data: { status: "failed", finishedAt: new Date(), results: results as unknown as Prisma.InputJsonValue, error: e instanceof AppError ? e.message : String(e) },
    });
    throw e;
  }
}

async function ensureNamespace(req: SyncRequest, record: (o: Omit<SyncOutcome, "at">) => Promise<void>) {
  const type = await req.cache.discovery.resolve("v1", "Namespace");
  try {
    await kubeRequest(req.cache.client, "GET", `/api/v1/namespaces/${encodeURIComponent(req.namespace)}`);
  } catch (e) {
    if (!(e instanceof KubeError && e.failure === "not_found")) throw e;
    if (req.desired.some((d) => d.manifest.kind === "Namespace" && d.manifest.metadata.name === req.namespace)) return;
    await serverSideApply(req.cache.client, type, { apiVersion: "v1", kind: "Namespace", metadata: { name: req.namespace } }, { dryRun: false });
    await record({ apiVersion: "v1", kind: "Namespace", namespace: "", name: req.namespace, action: "applied", message: "created the environment's namespace" });
  }
}

/** kstatus-style wait: every applied object Healthy (or Suspended), or time out. */
async function waitForHealth(req: SyncRequest, results: SyncOutcome[]): Promise<boolean> {
  const applied = results.filter((r) => r.action === "applied" || r.action === "unchanged");
  const deadline = Date.now() + (req.healthTimeoutMs ?? 120_000);
  while (true) {
    let pending = 0;
    for (const r of applied) {
      const live = await req.cache.get(r.apiVersion, r.kind, r.namespace || undefined, r.name);
      const h = assessHealth(live);
      r.health = h.status;
      if (h.status !== "Healthy" && h.status !== "Suspended") pending += 1;
    }
    if (pending === 0) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 500));
  }
}

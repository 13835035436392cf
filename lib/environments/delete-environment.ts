// Deleting environments and applications: keep their live objects (Tideline forgets them) or prune
// them (a job deletes every object that still carries the environment's inventory label, then the row).
import type { PrismaClient } from "../generated/prisma/client";
import { AppError, conflict, notFound } from "../errors";
import type { ClusterCache } from "../kube/cluster-cache";
import type { JobQueue } from "../jobs/types";
import { deleteObject } from "../reconcile/apply";
import { INVENTORY_LABEL } from "../reconcile/desired";

export interface DeletionDeps {
  prisma: PrismaClient;
  cacheFor: (clusterId: string) => Promise<ClusterCache>;
  jobs: JobQueue;
}

export interface LiveObject {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

/** The live objects carrying this environment's inventory label (what a prune would delete). */
export async function labelledLiveObjects(deps: Pick<DeletionDeps, "prisma" | "cacheFor">, environmentId: string): Promise<LiveObject[]> {
  const env = await deps.prisma.environment.findUnique({ where: { id: environmentId } });
  if (!env) throw notFound(`Environment ${environmentId} does not exist`);
  const rows = await deps.prisma.resourceState.findMany({ where: { environmentId }, select: { apiVersion: true, kind: true } });
  const kinds = new Map(rows.map((r) => [`${r.apiVersion}|${r.kind}`, r]));
  const cache = await deps.cacheFor(env.clusterId);
  const out: LiveObject[] = [];
  for (const k of kinds.values()) {
    let live;
    try {
      live = await cache.list({ apiVersion: k.apiVersion, kind: k.kind, labelSelector: `${INVENTORY_LABEL}=${environmentId}` });
    } catch {
      continue; // the kind is no longer served: nothing of it is live
    }
    for (const o of live) out.push({ apiVersion: k.apiVersion, kind: k.kind, namespace: o.metadata.namespace ?? "", name: o.metadata.name });
  }
  return out.sort((a, b) => `${a.kind}/${a.namespace}/${a.name}`.localeCompare(`${b.kind}/${b.namespace}/${b.name}`));
}

/** What deleting would touch, for the confirmation: each environment and its labelled live objects. */
export async function deletionPreview(deps: Pick<DeletionDeps, "prisma" | "cacheFor">, environmentIds: string[]) {
  const envs = await deps.prisma.environment.findMany({
    where: { id: { in: environmentIds } },
    include: { application: { select: { name: true } }, cluster: { select: { name: true } } },
  });
  return Promise.all(
    envs.map(async (e) => {
      let objects: LiveObject[] = [];
      let error: string | null = null;
      try {
        objects = await labelledLiveObjects(deps, e.id);
      } catch (err) {
        error = `Could not list ${e.cluster.name}'s objects: ${err instanceof AppError ? err.message : (err as Error).message}`;
      }
      return {
        environmentId: e.id,
        environment: e.name,
        application: e.application.name,
        cluster: e.cluster.name,
        namespace: e.namespace,
        liveObjects: objects.length,
        objects,
        error,
      };
    }),
  );
}

async function openPromotions(prisma: PrismaClient, environmentIds: string[]) {
  return prisma.promotion.count({ where: { status: { in: ["merged", "syncing"] }, OR: [{ targetEnvironmentId: { in: environmentIds } }] } });
}

/**
 * Deletes an environment. keep: the row goes now and the live objects stay (they keep the label,
 * so another environment still refuses to adopt them unless told to). prune: the row is marked and a
 * job deletes the labelled objects, then the row.
 */
export async function deleteEnvironment(deps: DeletionDeps, environmentId: string, opts: { prune: boolean; actorName: string }) {
  const env = await deps.prisma.environment.findUnique({ where: { id: environmentId }, include: { application: { select: { name: true } } } });
  if (!env) throw notFound(`Environment ${environmentId} does not exist`);
  if (env.deletionRequestedAt) throw conflict(`${env.application.name}/${env.name} is already being deleted (its objects are being pruned)`);
  if (await openPromotions(deps.prisma, [env.id]))
    throw conflict(`A promotion into ${env.application.name}/${env.name} is landing; wait for it to finish, then delete`);
  if (!opts.prune) {
    await removeRow(deps.prisma, env.id);
    return { environment: { id: env.id, name: env.name }, pruning: false };
  }
  await deps.prisma.environment.update({ where: { id: env.id }, data: { deletionRequestedAt: new Date(), autoSync: false } });
  await deps.jobs.send("environment.delete", { environmentId: env.id, actorName: opts.actorName });
  return { environment: { id: env.id, name: env.name }, pruning: true };
}

/** Deletes an application and all its environments, keeping or pruning their live objects. */
export async function deleteApplication(deps: DeletionDeps, applicationId: string, opts: { prune: boolean; actorName: string }) {
  const app = await deps.prisma.application.findUnique({ where: { id: applicationId }, include: { environments: true } });
  if (!app) throw notFound(`Application ${applicationId} does not exist`);
  const ids = app.environments.map((e) => e.id);
  if (await openPromotions(deps.prisma, ids)) throw conflict(`A promotion in ${app.name} is landing; wait for it to finish, then delete`);
  if (!opts.prune || ids.length === 0) {
    await deps.prisma.application.delete({ where: { id: app.id } }); // environments, runs, states and promotions cascade
    return { application: { id: app.id, name: app.name }, environments: ids.length, pruning: false };
  }
  // The application row goes with its last environment (the prune job removes each).
  await deps.prisma.environment.updateMany({ where: { id: { in: ids } }, data: { deletionRequestedAt: new Date(), autoSync: false } });
  await deps.prisma.application.update({ where: { id: app.id }, data: { deletionRequestedAt: new Date() } });
  for (const id of ids) await deps.jobs.send("environment.delete", { environmentId: id, actorName: opts.actorName });
  return { application: { id: app.id, name: app.name }, environments: ids.length, pruning: true };
}

async function removeRow(prisma: PrismaClient, environmentId: string) {
  await prisma.environment.delete({ where: { id: environmentId } }); // its runs, states, promotions in and image targets cascade
}

/**
 * The prune job: deletes each live object that still carries this environment's label (uid and
 * resourceVersion preconditions: an object relabelled or replaced meanwhile is left alone), then the
 * row, then the application when it was being deleted and this was its last environment.
 */
export async function runEnvironmentDeletion(deps: Pick<DeletionDeps, "prisma" | "cacheFor">, environmentId: string) {
  const env = await deps.prisma.environment.findUnique({ where: { id: environmentId }, include: { application: true } });
  if (!env?.deletionRequestedAt) return { pruned: 0, failed: [] as string[] };
  const cache = await deps.cacheFor(env.clusterId);
  const objects = await labelledLiveObjects(deps, environmentId);
  const failed: string[] = [];
  let pruned = 0;
  for (const o of objects) {
    try {
      const type = await cache.discovery.resolve(o.apiVersion, o.kind);
      await deleteObject(cache.client, type, o.namespace || undefined, o.name, environmentId);
      pruned += 1;
    } catch (e) {
      if ((e as { status?: number }).status === 404) continue; // already gone
      failed.push(`${o.kind}/${o.name}: ${e instanceof AppError ? e.message : (e as Error).message}`);
    }
  }
  if (failed.length) {
    await deps.prisma.environment.update({
      where: { id: environmentId },
      data: { lastError: `Deleting: ${failed.length} object(s) could not be pruned: ${failed.join("; ")}` },
    });
    throw new AppError("conflict", `Pruning ${env.application.name}/${env.name}: ${failed.join("; ")}`);
  }
  await removeRow(deps.prisma, environmentId);
  if (env.application.deletionRequestedAt && (await deps.prisma.environment.count({ where: { applicationId: env.applicationId } })) === 0) {
    await deps.prisma.application.delete({ where: { id: env.applicationId } }).catch(() => undefined);
  }
  return { pruned, failed };
}

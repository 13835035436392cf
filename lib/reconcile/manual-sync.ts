// "Sync now" from a person: a dry-run preview first, then the real sync under the
// environment's lease, answered with the SyncRun id as soon as it exists.
import { AppError, conflict, invalid, notFound } from "../errors";
import { assessEnvironment, storeReports, type ReconcileDeps } from "./reconcile-environment";
import { syncEnvironment } from "./sync";
import { withEnvironmentLease } from "./lease";
import { idOf } from "./drift";

const LEASE_MS = 15 * 60 * 1000;

export async function previewSync(deps: ReconcileDeps, environmentId: string) {
  const env = await deps.prisma.environment.findUnique({ where: { id: environmentId } });
  if (!env) throw notFound(`Environment ${environmentId} does not exist`);
  const { desired, reports } = await assessEnvironment(deps, env);
  return {
    revision: desired.revision,
    renderer: desired.renderer,
    prune: env.prune,
    blocked: reports.filter((r) => r.syncStatus === "Error").map((r) => `${r.kind}/${r.name}: ${r.error}`),
    objects: reports.map((r) => ({ id: idOf(r), apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespace, name: r.name, syncStatus: r.syncStatus, error: r.error, changes: r.changes })),
  };
}

export function startSync(deps: ReconcileDeps, environmentId: string, opts: { actorName: string; only?: string[]; expectedRevision?: string; trigger?: "manual" | "rollback"; revisionOverride?: string }): Promise<{ runId: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    withEnvironmentLease(deps.prisma, environmentId, LEASE_MS, async () => {
      const env = await deps.prisma.environment.findUnique({ where: { id: environmentId } });
      if (!env) throw notFound(`Environment ${environmentId} does not exist`);
      if (env.detectOnly) throw invalid(`Environment ${env.name} is in detect-only mode: Tideline reports drift but does not sync it`);
      const { desired, reports, cache } = await assessEnvironment(deps, env);
      if (opts.expectedRevision && opts.expectedRevision !== desired.revision) {
        throw conflict(`Git moved since the preview (now at ${desired.revision.slice(0, 7)}); review the new preview before syncing`);
      }
      return syncEnvironment({
        prisma: deps.prisma, cache, environmentId, revision: desired.revision, desired: desired.objects, reports,
        trigger: opts.trigger ?? "manual", actorName: opts.actorName, prune: env.prune, allowEmpty: env.allowEmpty, namespace: env.namespace,
        only: opts.only?.length ? new Set(opts.only) : undefined,
        onStarted: (runId) => {
          answered = true;
          resolve({ runId });
        },
      }).finally(async () => {
        const fresh = await assessEnvironment(deps, env).catch(() => null);
        if (fresh) await storeReports(deps.prisma, env, fresh.desired.revision, fresh.reports).catch(() => {});
      });
    })
      .then((outcome) => {
        if (!outcome.ran) reject(conflict("A reconcile or sync of this environment is already running; try again in a moment"));
      })
      .catch((e) => {
        if (!answered) reject(e instanceof AppError ? e : new AppError("internal", String(e)));
      });
  });
}

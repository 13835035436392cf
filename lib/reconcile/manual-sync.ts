// "Sync now" from a person: the preview shows what a sync would do and stores its verdicts, so the
// sync that follows (on any worker) reuses them while the revision and live resourceVersions hold.
import { notFound } from "../errors";
import { assessEnvironment, storeReports, type ReconcileDeps } from "./reconcile-environment";
import { idOf } from "./drift";
import { projectError } from "./desired";
import { environmentPolicy } from "../projects/load";

export { requestSync } from "./request-sync";

export async function previewSync(deps: ReconcileDeps, environmentId: string) {
  const env = await deps.prisma.environment.findUnique({ where: { id: environmentId } });
  if (!env) throw notFound(`Environment ${environmentId} does not exist`);
  const { desired, reports } = await assessEnvironment(deps, env);
  await storeReports(deps.prisma, env, desired.revision, reports);
  const policy = await environmentPolicy(deps.prisma, env.id);
  // Hooks are not compared: they run at their phase of a sync that covers every changed object.
  const hooks = desired.hooks.map((h) => ({
    kind: h.manifest.kind,
    name: h.manifest.metadata.name,
    phases: h.hook!.phases,
    deletePolicies: h.hook!.deletePolicies,
    error: h.renderError ?? (policy && h.type ? projectError(policy, h.manifest, h.type) : null),
    served: Boolean(h.type),
  }));
  const unserved = new Set(
    desired.objects
      .filter((d) => !d.type && !d.awaitsCrd)
      .map((d) =>
        idOf({ apiVersion: d.manifest.apiVersion, kind: d.manifest.kind, namespace: d.manifest.metadata.namespace ?? "", name: d.manifest.metadata.name }),
      ),
  );
  return {
    revision: desired.revision,
    renderer: desired.renderer,
    prune: env.prune,
    // Refusals block the whole sync; kinds the cluster does not serve are only skipped (the run ends partial).
    blocked: [
      ...reports.filter((r) => r.syncStatus === "Error" && !unserved.has(idOf(r))).map((r) => `${r.kind}/${r.name}: ${r.error}`),
      ...hooks.filter((h) => h.error && h.served).map((h) => `${h.kind}/${h.name} (hook): ${h.error}`),
    ],
    skipped: [...desired.objects, ...desired.hooks]
      .filter((d) => !d.type && !d.awaitsCrd)
      .map((d) => `${d.manifest.kind}/${d.manifest.metadata.name}: ${d.renderError ?? d.error}`),
    hooks,
    objects: reports.map((r) => ({
      id: idOf(r),
      apiVersion: r.apiVersion,
      kind: r.kind,
      namespace: r.namespace,
      name: r.name,
      syncStatus: r.syncStatus,
      error: r.error,
      changes: r.changes,
    })),
  };
}

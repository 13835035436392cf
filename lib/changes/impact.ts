// What a change would do to each environment following the branch it targets: render at the
// proposed commit, keep the objects whose desired state differs from the base, and dry-run
// those against the live cluster (object diffs and the errors the change would cause).
import type { Environment } from "../generated/prisma/client";
import { AppError } from "../errors";
import { canonicalJson } from "../drift/normalize";
import { desiredState } from "../reconcile/desired";
import { assessEnvironment, type ReconcileDeps } from "../reconcile/reconcile-environment";
import { idOf } from "../reconcile/drift";

export interface EnvironmentImpact {
  environmentId: string;
  environment: string;
  application: string;
  status: "unchanged" | "changed" | "error";
  error: string | null;
  objects: Array<{ id: string; apiVersion: string; kind: string; namespace: string; name: string; change: "added" | "modified" | "removed"; syncStatus: string; error: string | null; changes: unknown }>;
}

const message = (e: unknown) => (e instanceof AppError ? e.message : (e as Error).message);

export async function environmentImpact(deps: ReconcileDeps, env: Environment & { application: { name: string } }, baseSha: string, headSha: string): Promise<EnvironmentImpact> {
  const out: EnvironmentImpact = { environmentId: env.id, environment: env.name, application: env.application.name, status: "unchanged", error: null, objects: [] };
  let before = new Map<string, string>();
  try {
    const cache = await deps.cacheFor(env.clusterId);
    const base = await desiredState({ env, revision: baseSha, mirrorsDir: deps.mirrorsDir, dataDir: deps.dataDir, discovery: cache.discovery });
    before = new Map(base.objects.map((o) => [idOf({ ...o.manifest, namespace: o.manifest.metadata.namespace ?? "", name: o.manifest.metadata.name }), canonicalJson(o.manifest)]));
  } catch {
    // The base did not render either; every object at the head counts as changed.
  }
  let assessed;
  try {
    assessed = await assessEnvironment(deps, env, { revision: headSha });
  } catch (e) {
    return { ...out, status: "error", error: `The change breaks the render of ${env.application.name}/${env.name}: ${message(e)}` };
  }
  const after = new Map(assessed.desired.objects.map((o) => [idOf({ ...o.manifest, namespace: o.manifest.metadata.namespace ?? "", name: o.manifest.metadata.name }), canonicalJson(o.manifest)]));
  for (const r of assessed.reports) {
    const id = idOf(r);
    if (r.syncStatus === "Extraneous") continue;
    const was = before.get(id);
    if (was !== undefined && was === after.get(id)) continue;
    out.objects.push({ id, apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespace, name: r.name, change: was === undefined ? "added" : "modified", syncStatus: r.syncStatus, error: r.error, changes: r.changes });
  }
  for (const [id] of before) {
    if (after.has(id)) continue;
    const [apiVersion, kind, namespace, name] = id.split("|");
    out.objects.push({ id, apiVersion: apiVersion!, kind: kind!, namespace: namespace!, name: name!, change: "removed", syncStatus: "Extraneous", error: null, changes: [] });
  }
  if (out.objects.some((o) => o.error)) out.status = "error";
  else if (out.objects.length) out.status = "changed";
  return out;
}

/** Impact on every environment following `branch` of the repository. */
export async function changeImpact(deps: ReconcileDeps, input: { repositoryId: string; branch: string; baseSha: string; headSha: string }) {
  const envs = await deps.prisma.environment.findMany({ where: { repositoryId: input.repositoryId, branch: input.branch }, include: { application: { select: { name: true } } }, orderBy: [{ applicationId: "asc" }, { position: "asc" }] });
  return Promise.all(envs.map((env) => environmentImpact(deps, env, input.baseSha, input.headSha)));
}

// What a change would do to each environment following the branch it targets: render at the
// proposed commit, keep the objects whose desired state differs from the base, and dry-run
// those against the live cluster (object diffs and the errors the change would cause).
import path from "node:path";
import type { Environment } from "../generated/prisma/client";
import { AppError } from "../errors";
import { canonicalJson } from "../drift/normalize";
import { mirrorPath } from "../git/mirror";
import { desiredState } from "../reconcile/desired";
import { assessEnvironment, type ReconcileDeps } from "../reconcile/reconcile-environment";
import { idOf } from "../reconcile/drift";
import { render } from "../render/render";
import { defaultTools } from "../render/tools";
import type { RendererKind } from "../render/detect";
import type { Manifest } from "../render/manifest";

export interface EnvironmentImpact {
  environmentId: string;
  environment: string;
  application: string;
  /** "preexisting_error": the environment failed to render before the change too, the same way: shown, not caused by it. */
  status: "unchanged" | "changed" | "error" | "preexisting_error";
  error: string | null;
  objects: Array<{
    id: string;
    apiVersion: string;
    kind: string;
    namespace: string;
    name: string;
    change: "added" | "modified" | "removed";
    syncStatus: string;
    error: string | null;
    changes: unknown;
  }>;
}

const message = (e: unknown) => (e instanceof AppError ? e.message : (e as Error).message);

export async function environmentImpact(
  deps: ReconcileDeps,
  env: Environment & { application: { name: string } },
  baseSha: string,
  headSha: string,
): Promise<EnvironmentImpact> {
  const out: EnvironmentImpact = {
    environmentId: env.id,
    environment: env.name,
    application: env.application.name,
    status: "unchanged",
    error: null,
    objects: [],
  };
  let before = new Map<string, string>();
  let baseError: string | null = null;
  try {
    const cache = await deps.cacheFor(env.clusterId);
    const base = await desiredState({ env, revision: baseSha, mirrorsDir: deps.mirrorsDir, dataDir: deps.dataDir, discovery: cache.discovery });
    before = new Map(
      base.objects.map((o) => [
        idOf({ ...o.manifest, namespace: o.manifest.metadata.namespace ?? "", name: o.manifest.metadata.name }),
        canonicalJson(o.manifest),
      ]),
    );
  } catch (e) {
    baseError = message(e); // the base did not render either; every object at the head counts as changed
  }
  let assessed;
  try {
    assessed = await assessEnvironment(deps, env, { revision: headSha });
  } catch (e) {
    // Broken before, and broken the same way after: the change did not cause it and must not be blamed for it.
    if (baseError !== null && sameError(baseError, message(e))) {
      return { ...out, status: "preexisting_error", error: `Already failing before this change (not caused by it): ${message(e)}` };
    }
    const what =
      baseError !== null
        ? `The render of ${env.application.name}/${env.name} failed before this change and fails differently with it`
        : `The change breaks the render of ${env.application.name}/${env.name}`;
    return { ...out, status: "error", error: `${what}: ${message(e)}` };
  }
  const after = new Map(
    assessed.desired.objects.map((o) => [
      idOf({ ...o.manifest, namespace: o.manifest.metadata.namespace ?? "", name: o.manifest.metadata.name }),
      canonicalJson(o.manifest),
    ]),
  );
  for (const r of assessed.reports) {
    const id = idOf(r);
    if (r.syncStatus === "Extraneous") continue;
    const was = before.get(id);
    if (was !== undefined && was === after.get(id)) continue;
    out.objects.push({
      id,
      apiVersion: r.apiVersion,
      kind: r.kind,
      namespace: r.namespace,
      name: r.name,
      change: was === undefined ? "added" : "modified",
      syncStatus: r.syncStatus,
      error: r.error,
      changes: r.changes,
    });
  }
  for (const [id] of before) {
    if (after.has(id)) continue;
    const [apiVersion, kind, namespace, name] = id.split("|");
    out.objects.push({
      id,
      apiVersion: apiVersion!,
      kind: kind!,
      namespace: namespace!,
      name: name!,
      change: "removed",
      syncStatus: "Extraneous",
      error: null,
      changes: [],
    });
  }
  if (out.objects.some((o) => o.error)) out.status = "error";
  else if (out.objects.length) out.status = "changed";
  return out;
}

/** Errors compared without the commit ids they mention (the same failure names the base and the head commit). */
const sameError = (a: string, b: string) => {
  const strip = (m: string) => m.replace(/\b[0-9a-f]{7,40}\b/g, "<commit>").replace(/\/trees\/[^\s/]+\/[^\s/]+/g, "/trees/<dir>");
  return strip(a) === strip(b);
};

/** Impact on every environment following `branch` of the repository. */
export async function changeImpact(deps: ReconcileDeps, input: { repositoryId: string; branch: string; baseSha: string; headSha: string }) {
  const envs = await deps.prisma.environment.findMany({
    where: { repositoryId: input.repositoryId, branch: input.branch },
    include: { application: { select: { name: true } } },
    orderBy: [{ applicationId: "asc" }, { position: "asc" }],
  });
  return Promise.all(envs.map((env) => environmentImpact(deps, env, input.baseSha, input.headSha)));
}

/** What one environment renders at a commit, keyed by object id, valued by a canonical hash of the object. */
async function renderedObjects(deps: { mirrorsDir: string; dataDir: string }, env: Environment, revision: string): Promise<Map<string, string>> {
  const rendered = await render({
    gitdir: mirrorPath(deps.mirrorsDir, env.repositoryId),
    commit: revision,
    path: env.path,
    renderer: env.renderer as RendererKind | "auto",
    helm: { releaseName: env.helmReleaseName ?? undefined, valuesFiles: env.helmValuesFiles, namespace: env.namespace },
    workDir: path.join(deps.dataDir, "trees", env.repositoryId),
    tools: defaultTools(),
  });
  const key = (m: Manifest) => idOf({ apiVersion: m.apiVersion, kind: m.kind, namespace: m.metadata.namespace ?? "", name: m.metadata.name });
  return new Map(rendered.manifests.map(({ object }) => [key(object), canonicalJson(object)]));
}

export interface RenderedChange {
  /** Objects added, modified or removed between the two commits' renders. */
  objects: Array<{ id: string; change: "added" | "modified" | "removed" }>;
  /** Set when the head does not render: the caller must treat the environment as changed. */
  error: string | null;
}

/**
 * The environment's rendered result at base vs head, without the cluster (no dry-run): whatever
 * reaches the folder (shared bases, components, Helm charts and values) counts, not only its files.
 */
export async function renderedChanges(
  deps: { mirrorsDir: string; dataDir: string },
  env: Environment,
  baseSha: string,
  headSha: string,
): Promise<RenderedChange> {
  if (baseSha === headSha) return { objects: [], error: null };
  let after: Map<string, string>;
  try {
    after = await renderedObjects(deps, env, headSha);
  } catch (e) {
    return { objects: [], error: message(e) };
  }
  // A base that does not render counts every object of the head as added.
  const before = await renderedObjects(deps, env, baseSha).catch(() => new Map<string, string>());
  const objects: RenderedChange["objects"] = [];
  for (const [id, hash] of after) {
    const was = before.get(id);
    if (was === undefined) objects.push({ id, change: "added" });
    else if (was !== hash) objects.push({ id, change: "modified" });
  }
  for (const id of before.keys()) if (!after.has(id)) objects.push({ id, change: "removed" });
  return { objects, error: null };
}

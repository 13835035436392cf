// What Git says an environment should run at its branch head: rendered manifests, placed
// in the environment's namespace, labelled for the inventory, refused when they reach
// into a namespace the environment does not own or are not allowed by its project.
import path from "node:path";
import type { Environment, PrismaClient } from "../generated/prisma/client";
import { AppError, invalid } from "../errors";
import { mirrorPath } from "../git/mirror";
import { render } from "../render/render";
import { defaultTools } from "../render/tools";
import type { Manifest } from "../render/manifest";
import type { RendererKind } from "../render/detect";
import type { Discovery, ResourceType } from "../kube/discovery";
import type { EnvironmentPolicy } from "../projects/load";
import { HOOK_KEY_LABEL, HOOK_OF_LABEL, hookOf, type HookSpec } from "./hooks";

export const INVENTORY_LABEL = "app.tideline.dev/environment";

export interface DesiredObject {
  manifest: Manifest;
  type: ResourceType | null;
  source: string;
  /** Why this object must not be applied (the sync refuses to run while any object has one). */
  error: string | null;
  /** The part of `error` found at render time (namespace guard, unknown kind); every compare adds the project and ownership checks to it. */
  renderError?: string | null;
  /** Its kind is not served yet, but a CustomResourceDefinition of the same render defines it: the sync applies it after the CRD. */
  awaitsCrd?: boolean;
  /** Set on sync hooks (lib/reconcile/hooks.ts): they run during a sync and are not compared or pruned. */
  hook?: HookSpec;
}

export interface DesiredState {
  revision: string;
  renderer: RendererKind;
  objects: DesiredObject[];
  /** Sync hooks (PreSync, Sync, PostSync, SyncFail, Skip), kept apart from the objects compared with the cluster. */
  hooks: DesiredObject[];
}

export async function headRevision(prisma: PrismaClient, env: Environment): Promise<string> {
  const branch = await prisma.branch.findUnique({ where: { repositoryId_name: { repositoryId: env.repositoryId, name: env.branch } } });
  if (!branch) throw invalid(`Branch "${env.branch}" is not (or no longer) in the repository`);
  return branch.headSha;
}

export async function desiredState(opts: {
  env: Environment;
  revision: string;
  mirrorsDir: string;
  dataDir: string;
  discovery: Discovery;
  policy?: EnvironmentPolicy;
}): Promise<DesiredState> {
  const { env } = opts;
  const rendered = await render({
    gitdir: mirrorPath(opts.mirrorsDir, env.repositoryId),
    commit: opts.revision,
    path: env.path,
    renderer: env.renderer as RendererKind | "auto",
    helm: { releaseName: env.helmReleaseName ?? undefined, valuesFiles: env.helmValuesFiles, namespace: env.namespace },
    workDir: path.join(opts.dataDir, "trees", env.repositoryId),
    tools: defaultTools(),
  });
  const objects: DesiredObject[] = [];
  const hooks: DesiredObject[] = [];
  for (const { object, source } of rendered.manifests) {
    const manifest = structuredClone(object);
    let type: ResourceType | null = null;
    let error: string | null = null;
    let hook: HookSpec | null = null;
    try {
      hook = hookOf(manifest);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    // Hooks carry their own labels, not the inventory label: they are never Extraneous nor pruned.
    manifest.metadata.labels = {
      ...(manifest.metadata.labels ?? {}),
      ...(hook ? { [HOOK_OF_LABEL]: env.id, [HOOK_KEY_LABEL]: hook.key } : { [INVENTORY_LABEL]: env.id }),
    };
    try {
      type = await opts.discovery.resolve(manifest.apiVersion, manifest.kind);
      if (type.namespaced) {
        manifest.metadata.namespace ??= env.namespace;
        if (manifest.metadata.namespace !== env.namespace) {
          error ??= `${manifest.kind} ${manifest.metadata.name} is in namespace ${manifest.metadata.namespace}, which this environment does not own (it owns ${env.namespace})`;
        }
      } else delete manifest.metadata.namespace;
    } catch (e) {
      error ??= e instanceof AppError ? e.message : String(e);
    }
    if (hook) {
      hooks.push({ manifest, type, source, renderError: error, error: error ?? (opts.policy ? projectError(opts.policy, manifest, type) : null), hook });
      continue;
    }
    // Project rules are checked by compareEnvironment on every compare (renders are cached, rules may change).
    objects.push({ manifest, type, source, renderError: error, error: error ?? (opts.policy ? projectError(opts.policy, manifest, type) : null) });
  }
  // Like Argo CD: a custom resource whose CRD is in the same render is not an error; the sync applies the CRD first.
  const defined = new Set(objects.filter((o) => o.manifest.kind === "CustomResourceDefinition").map((o) => crdKind(o.manifest)));
  for (const o of [...objects, ...hooks]) {
    if (o.type || !defined.has(`${o.manifest.apiVersion.split("/")[0]}/${o.manifest.kind}`)) continue;
    if (o.renderError !== undefined && o.renderError !== null && !/is its CRD installed\?/.test(o.renderError)) continue;
    o.awaitsCrd = true;
    o.renderError = null;
    o.error = null;
  }
  return { revision: opts.revision, renderer: rendered.renderer, objects, hooks };
}

/** "group/Kind" a CustomResourceDefinition manifest defines. */
function crdKind(m: Manifest): string {
  const spec = (m.spec ?? {}) as { group?: unknown; names?: { kind?: unknown } };
  return `${String(spec.group ?? "")}/${String(spec.names?.kind ?? "")}`;
}

/** Why the project refuses this object, or null: the environment outside its project refuses everything. */
export function projectError(policy: EnvironmentPolicy, manifest: Manifest, type: ResourceType | null): string | null {
  if (policy.environmentError) return `${manifest.kind} ${manifest.metadata.name}: ${policy.environmentError}`;
  if (!type) return null;
  return policy.objectError({ apiVersion: manifest.apiVersion, kind: manifest.kind, name: manifest.metadata.name, namespaced: type.namespaced });
}

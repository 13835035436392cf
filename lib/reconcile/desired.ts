// What Git says an environment should run at its branch head: rendered manifests, placed
// in the environment's namespace, labelled for the inventory, refused when they reach
// into a namespace the environment does not own.
import path from "node:path";
import type { Environment, PrismaClient } from "../generated/prisma/client";
import { AppError, invalid } from "../errors";
import { mirrorPath } from "../git/mirror";
import { render } from "../render/render";
import { defaultTools } from "../render/tools";
import type { Manifest } from "../render/manifest";
import type { RendererKind } from "../render/detect";
import type { Discovery, ResourceType } from "../kube/discovery";

export const INVENTORY_LABEL = "app.tideline.dev/environment";

export interface DesiredObject {
  manifest: Manifest;
  type: ResourceType | null;
  source: string;
  error: string | null;
}

export interface DesiredState {
  revision: string;
  renderer: RendererKind;
  objects: DesiredObject[];
}

export async function headRevision(prisma: PrismaClient, env: Environment): Promise<string> {
  const branch = await prisma.branch.findUnique({ where: { repositoryId_name: { repositoryId: env.repositoryId, name: env.branch } } });
  if (!branch) throw invalid(`Branch "${env.branch}" is not (or no longer) in the repository`);
  return branch.headSha;
}

export async function desiredState(opts: { env: Environment; revision: string; mirrorsDir: string; dataDir: string; discovery: Discovery }): Promise<DesiredState> {
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
  for (const { object, source } of rendered.manifests) {
    const manifest = structuredClone(object);
    manifest.metadata.labels = { ...(manifest.metadata.labels ?? {}), [INVENTORY_LABEL]: env.id };
    let type: ResourceType | null = null;
    let error: string | null = null;
    try {
      type = await opts.discovery.resolve(manifest.apiVersion, manifest.kind);
      if (type.namespaced) {
        manifest.metadata.namespace ??= env.namespace;
        if (manifest.metadata.namespace !== env.namespace) {
          error = `${manifest.kind} ${manifest.metadata.name} is in namespace ${manifest.metadata.namespace}, which this environment does not own (it owns ${env.namespace})`;
        }
      } else delete manifest.metadata.namespace;
    } catch (e) {
      error = e instanceof AppError ? e.message : String(e);
    }
    objects.push({ manifest, type, source, error });
  }
  return { revision: opts.revision, renderer: rendered.renderer, objects };
}

// What an environment runs, as a promotion sees it: the revision it is synced to, the images
// its rendered objects use, and the chart version for Helm environments.
import { parseYamlValue } from "../limits/yaml";
import type { Environment } from "../generated/prisma/client";
import { AppError } from "../errors";
import { mirrorPath } from "../git/mirror";
import { desiredState, headRevision } from "../reconcile/desired";
import type { ReconcileDeps } from "../reconcile/reconcile-environment";
import { imagesInManifests, type RunningImage } from "../images/running-images";
import { readFiles } from "./source-files";

export interface EnvironmentRelease {
  revision: string;
  images: RunningImage[];
  chartVersion: string | null;
  renderError: string | null;
}

/** The revision an environment runs: what it last synced, else what it would sync. */
export async function runningRevision(deps: ReconcileDeps, env: Environment): Promise<string> {
  return env.syncHold && env.syncHoldRevision ? env.syncHoldRevision : (env.syncedRevision ?? env.desiredRevision ?? (await headRevision(deps.prisma, env)));
}

export async function environmentRelease(deps: ReconcileDeps, env: Environment, revision?: string): Promise<EnvironmentRelease> {
  const rev = revision ?? (await runningRevision(deps, env));
  const gitdir = mirrorPath(deps.mirrorsDir, env.repositoryId);
  const chartFile = (await readFiles(gitdir, rev, [env.path ? `${env.path}/Chart.yaml` : "Chart.yaml"])).values().next().value;
  let chartVersion: string | null = null;
  try {
    const chartPath = env.path ? `${env.path}/Chart.yaml` : "Chart.yaml";
    chartVersion = chartFile ? String((parseYamlValue(chartFile, { file: chartPath }) as { version?: unknown })?.version ?? "") || null : null;
  } catch {
    chartVersion = null;
  }
  try {
    const cache = await deps.cacheFor(env.clusterId);
    const desired = await desiredState({ env, revision: rev, mirrorsDir: deps.mirrorsDir, dataDir: deps.dataDir, discovery: cache.discovery });
    return {
      revision: rev,
      images: imagesInManifests(desired.objects.map((o) => o.manifest as unknown as Record<string, unknown>)),
      chartVersion,
      renderError: null,
    };
  } catch (e) {
    return { revision: rev, images: [], chartVersion, renderError: e instanceof AppError ? e.message : (e as Error).message };
  }
}

/** Images that differ between two releases: what a promotion from `source` to `target` would move. */
export function imageDifferences(source: RunningImage[], target: RunningImage[]) {
  const inTarget = new Map(target.map((i) => [i.canonicalName, i]));
  const moves: Array<{ name: string; from: string | null; to: string; tag?: string; digest?: string }> = [];
  for (const img of source) {
    const t = inTarget.get(img.canonicalName);
    const to = img.digest ? `${img.tag ?? ""}@${img.digest}` : (img.tag ?? "latest");
    const from = t ? (t.digest ? `${t.tag ?? ""}@${t.digest}` : (t.tag ?? "latest")) : null;
    if (from !== to) moves.push({ name: img.name, from, to, tag: img.tag, digest: img.digest });
  }
  return moves;
}

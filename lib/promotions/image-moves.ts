// The one computation behind both the pipeline arrow and Promote for the "images" strategy: which
// images differ between source and target, and which of them the target's sources can be made to say.
import type { Environment } from "../generated/prisma/client";
import { mirrorPath } from "../git/mirror";
import type { FileEdit } from "../git/write-commit";
import { updateImagesInSources } from "../images/update-sources";
import type { ReconcileDeps } from "../reconcile/reconcile-environment";
import { KUSTOMIZATION_FILES } from "../render/detect";
import { environmentRelease, imageDifferences, type EnvironmentRelease } from "./environment-state";
import { environmentSourceFiles } from "./source-files";

export interface ImageMove {
  name: string;
  from: string | null;
  to: string;
}
export interface BlockedImageMove extends ImageMove {
  reason: string;
}

export interface ImageMoves {
  /** Moves Promote writes (each has a place in the target's sources). */
  images: ImageMove[];
  /** Moves that differ but that no place in the target's sources sets, each with why. */
  notPromotable: BlockedImageMove[];
  edits: FileEdit[];
}

export async function imageMoves(deps: ReconcileDeps, sourceRelease: EnvironmentRelease, target: Environment, targetHead: string): Promise<ImageMoves> {
  const gitdir = mirrorPath(deps.mirrorsDir, target.repositoryId);
  const targetRelease = await environmentRelease(deps, target, targetHead);
  const moves = imageDifferences(sourceRelease.images, targetRelease.images);
  if (moves.length === 0) return { images: [], notPromotable: [], edits: [] };
  const files = await environmentSourceFiles(gitdir, targetHead, target);
  const kustomization = KUSTOMIZATION_FILES.map((f) => (target.path ? `${target.path}/${f}` : f)).find((p) => files.has(p));
  // Plain `image:` fields count as well (plain-YAML environments have no other place), the same
  // places image automation writes; kustomize entries, setters and Helm values are preferred.
  const result = updateImagesInSources(
    files,
    moves.map((m) => ({ name: m.name, tag: m.tag, digest: m.digest })),
    { targetKustomization: kustomization, allowPlainImageFields: true },
  );
  const unmatched = new Set(result.unmatched);
  const folder = target.path || "/";
  const reason = (name: string) =>
    targetRelease.images.some((i) => i.name === name)
      ? `no kustomize images: entry, setter comment, Helm values tag or image: field in ${folder}${target.helmValuesFiles.length ? ` or its values files` : ""} sets ${name} (it may come from a remote base or a chart's defaults)`
      : `${target.name} does not run ${name} and ${folder} has no kustomization to add it to`;
  return {
    images: moves.filter((m) => !unmatched.has(m.name)).map(({ name, from, to }) => ({ name, from, to })),
    notPromotable: moves.filter((m) => unmatched.has(m.name)).map(({ name, from, to }) => ({ name, from, to, reason: reason(name) })),
    edits: result.files.filter((f) => f.before !== f.after).map((f) => ({ path: f.path, content: f.after })),
  };
}

// Turns "promote source -> target" into concrete file edits on the target's branch, per the
// target's strategy: rewrite image references, copy the source folder, or merge the source branch.
import type { Environment } from "../generated/prisma/client";
import { AppError } from "../errors";
import { mirrorPath } from "../git/mirror";
import { changedFiles, commitEdits, mergeCommit, type FileEdit } from "../git/write-commit";
import { TIDELINE_COMMITTER } from "../repositories/write-branch";
import type { ReconcileDeps } from "../reconcile/reconcile-environment";
import { environmentRelease } from "./environment-state";
import { imageMoves, type BlockedImageMove } from "./image-moves";
import { listFiles, readFiles } from "./source-files";
import type { Signature } from "../git/write-commit";

export type Strategy = "images" | "folder" | "branch";

export interface PromotionPlan {
  strategy: Strategy;
  sourceRevision: string;
  targetBaseRevision: string;
  /** The commit that would land on the target branch (not pushed). */
  commit: string;
  /** File edits (images/folder) or null for a branch merge. */
  edits: FileEdit[] | null;
  files: Array<{ path: string; change: "added" | "modified" | "deleted"; before: string | null; after: string | null }>;
  images: Array<{ name: string; from: string | null; to: string }>;
  unmatched: string[];
  /** Images that differ but that the target's sources cannot be made to set, with the reason. */
  notPromotable: BlockedImageMove[];
}

export async function planPromotion(
  deps: ReconcileDeps,
  source: Environment,
  target: Environment,
  targetHead: string,
  author: Signature,
  message: string,
): Promise<PromotionPlan> {
  const strategy = target.promotionStrategy as Strategy;
  const gitdir = mirrorPath(deps.mirrorsDir, target.repositoryId);
  const sourceRelease = await environmentRelease(deps, source);
  if (sourceRelease.renderError)
    throw new AppError("conflict", `${source.name} does not render (${sourceRelease.renderError}); fix it before promoting from it`);
  const base = { strategy, sourceRevision: sourceRelease.revision, targetBaseRevision: targetHead };

  if (strategy === "branch") {
    if (source.repositoryId !== target.repositoryId || source.branch === target.branch) {
      throw new AppError("invalid", `The branch strategy needs ${source.name} and ${target.name} on different branches of one repository`);
    }
    const merged = await mergeCommit(
      gitdir,
      targetHead,
      sourceRelease.revision,
      `${message}\n\nMerge ${source.branch}@${sourceRelease.revision.slice(0, 7)} into ${target.branch}.`,
      author,
    );
    if (!merged.clean)
      throw new AppError("conflict", `Merging ${source.branch} into ${target.branch} conflicts in ${merged.conflicts.join(", ")}; resolve it in Git first`, {
        conflicts: merged.conflicts,
      });
    const files = await describeFiles(gitdir, targetHead, merged.sha!);
    return { ...base, commit: merged.sha!, edits: null, files, images: [], unmatched: [], notPromotable: [] };
  }

  let edits: FileEdit[];
  let images: PromotionPlan["images"] = [];
  let notPromotable: BlockedImageMove[] = [];
  if (strategy === "folder") {
    if (source.repositoryId !== target.repositoryId) throw new AppError("invalid", "The folder strategy needs both environments in one repository");
    edits = await folderCopyEdits(gitdir, sourceRelease.revision, source.path, targetHead, target.path);
  } else {
    ({ images, notPromotable, edits } = await imageMoves(deps, sourceRelease, target, targetHead));
  }
  if (edits.length === 0 && notPromotable.length) {
    const list = notPromotable.map((m) => `${m.name} ${m.from ?? "(none)"} -> ${m.to}: ${m.reason}`).join("; ");
    throw new AppError("conflict", `Nothing ${target.name}'s sources can be changed to promote: ${list}`, { notPromotable });
  }
  if (edits.length === 0) throw new AppError("conflict", `${target.name} already runs what ${source.name} runs: nothing to promote`);
  const commit = await commitEdits({ gitdir, parent: targetHead, edits, message, author, committer: TIDELINE_COMMITTER });
  return { ...base, commit, edits, files: await describeFiles(gitdir, targetHead, commit), images, unmatched: notPromotable.map((m) => m.name), notPromotable };
}

/** Edits that make the target folder an exact copy of the source folder. */
async function folderCopyEdits(gitdir: string, sourceRev: string, sourceDir: string, targetRev: string, targetDir: string): Promise<FileEdit[]> {
  const rel = (dir: string, p: string) => (dir ? p.slice(dir.length + 1) : p);
  const abs = (dir: string, p: string) => (dir ? `${dir}/${p}` : p);
  const sourcePaths = await listFiles(gitdir, sourceRev, sourceDir);
  const targetPaths = await listFiles(gitdir, targetRev, targetDir);
  const wanted = await readFiles(gitdir, sourceRev, sourcePaths);
  const current = await readFiles(gitdir, targetRev, targetPaths);
  const edits: FileEdit[] = [];
  for (const [p, content] of wanted) {
    const dest = abs(targetDir, rel(sourceDir, p));
    if (current.get(dest) !== content) edits.push({ path: dest, content });
  }
  const keep = new Set([...wanted.keys()].map((p) => abs(targetDir, rel(sourceDir, p))));
  for (const p of targetPaths) if (!keep.has(p)) edits.push({ path: p, content: null });
  return edits;
}

async function describeFiles(gitdir: string, from: string, to: string): Promise<PromotionPlan["files"]> {
  const changed = await changedFiles(gitdir, from, to);
  const [before, after] = await Promise.all([
    readFiles(
      gitdir,
      from,
      changed.filter((f) => f.change !== "added").map((f) => f.path),
    ),
    readFiles(
      gitdir,
      to,
      changed.filter((f) => f.change !== "deleted").map((f) => f.path),
    ),
  ]);
  return changed.map((f) => ({ ...f, before: before.get(f.path) ?? null, after: after.get(f.path) ?? null }));
}

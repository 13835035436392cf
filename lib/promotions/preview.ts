// The promotion preview: exact file changes in the target's sources, the resulting object
// diff against the live cluster, warnings and blockers, and a hash that pins what was shown.
import { createHash } from "node:crypto";
import type { Environment } from "../generated/prisma/client";
import { AppError } from "../errors";
import { environmentImpact } from "../changes/impact";
import { mirrorHead } from "../repositories/write-branch";
import { mirrorPath } from "../git/mirror";
import type { ReconcileDeps } from "../reconcile/reconcile-environment";
import type { Signature } from "../git/write-commit";
import { planPromotion, type PromotionPlan } from "./plan";
import { assertSamePipeline, sourceReadiness } from "./policy";

export interface PromotionPreview extends Omit<PromotionPlan, "edits"> {
  source: { id: string; name: string; syncStatus: string; health: string };
  target: { id: string; name: string; branch: string; protected: boolean; requiredApprovals: number };
  impact: Awaited<ReturnType<typeof environmentImpact>>;
  warnings: string[];
  blockers: string[];
  previewHash: string;
  title: string;
}

export async function loadPair(deps: ReconcileDeps, sourceId: string, targetId: string) {
  const [source, target] = await Promise.all([
    deps.prisma.environment.findUnique({ where: { id: sourceId }, include: { application: { select: { name: true } } } }),
    deps.prisma.environment.findUnique({ where: { id: targetId }, include: { application: { select: { name: true } } } }),
  ]);
  if (!source) throw new AppError("not_found", `Environment ${sourceId} does not exist`);
  if (!target) throw new AppError("not_found", `Environment ${targetId} does not exist`);
  assertSamePipeline(source, target);
  return { source, target };
}

export const promotionTitle = (app: string, source: Environment, target: Environment, plan: Pick<PromotionPlan, "images" | "sourceRevision">) => {
  const what =
    plan.images.length === 1
      ? `${plan.images[0]!.name.split("/").pop()} ${plan.images[0]!.to}`
      : plan.images.length > 1
        ? `${plan.images.length} images`
        : plan.sourceRevision.slice(0, 7);
  return `Promote ${app} ${what} from ${source.name} to ${target.name}`;
};

export function hashPlan(plan: PromotionPlan): string {
  const h = createHash("sha256").update(plan.strategy).update(plan.sourceRevision).update(plan.targetBaseRevision);
  for (const f of plan.files)
    h.update(f.path)
      .update("\0")
      .update(f.after ?? "<deleted>")
      .update("\0");
  return h.digest("hex");
}

export async function previewPromotion(
  deps: ReconcileDeps,
  sourceId: string,
  targetId: string,
  author: Signature,
): Promise<PromotionPreview & { edits: PromotionPlan["edits"] }> {
  const { source, target } = await loadPair(deps, sourceId, targetId);
  const gitdir = mirrorPath(deps.mirrorsDir, target.repositoryId);
  const targetHead = await mirrorHead(gitdir, target.branch);
  if (!targetHead) throw new AppError("conflict", `Branch "${target.branch}" of ${target.name} does not exist`);
  const provisional = `Promote ${source.application.name} from ${source.name} to ${target.name}`;
  const plan = await planPromotion(deps, source, target, targetHead, author, provisional);
  const title = promotionTitle(source.application.name, source, target, plan);
  const impact = await environmentImpact(deps, target, targetHead, plan.commit);
  const { warnings, blockers } = sourceReadiness(source, target);
  for (const m of plan.notPromotable) warnings.push(`${m.name} ${m.from ?? "(none)"} -> ${m.to} is not promoted: ${m.reason}`);
  if (impact.status === "error")
    blockers.push(
      impact.error ??
        `The promotion would cause errors in ${target.name}: ${impact.objects
          .filter((o) => o.error)
          .map((o) => `${o.kind}/${o.name}: ${o.error}`)
          .join("; ")}`,
    );
  return {
    ...plan,
    title,
    source: { id: source.id, name: source.name, syncStatus: source.syncStatus, health: source.health },
    target: { id: target.id, name: target.name, branch: target.branch, protected: target.requiredApprovals > 0, requiredApprovals: target.requiredApprovals },
    impact,
    warnings,
    blockers,
    previewHash: hashPlan(plan),
  };
}

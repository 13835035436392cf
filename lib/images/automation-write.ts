// Moves one environment to a policy's chosen tag: reads its sources at the branch head, plans the
// edit, refuses downgrades, claims the ImageUpdate row, then commits or opens a change request.
import type { ImagePolicy, ImageUpdate, PrismaClient } from "../generated/prisma/client";
import { Prisma } from "../generated/prisma/client";
import { AppError } from "../errors";
import { commitToBranch, mirrorHead, repositoryAccess } from "../repositories/write-branch";
import { proposeChange } from "../changes/propose-change";
import { environmentSourceFiles } from "../promotions/source-files";
import { currentImagesInSources, updateImagesInSources, type CurrentImage, type UpdateSourcesResult } from "./update-sources";
import { tryParseImageRef } from "./image-ref";
import { isDowngrade, type TagPolicy } from "./tag-policy";
import { freezeRefusal } from "../freeze/status";
import { AUTOMATION_AUTHOR, type AutomationDeps, type CheckTrigger, type EnvironmentOutcome } from "./automation-types";

export interface TargetEnvironment {
  id: string;
  name: string;
  path: string;
  branch: string;
  repositoryId: string;
  helmValuesFiles: string[];
  application: { name: string };
}

export interface WriteRequest {
  policy: ImagePolicy;
  tag: string;
  digest: string | null;
  trigger: CheckTrigger;
}

/** A pending claim older than this was left by a process that died mid-write; it may be taken over. */
const STALE_CLAIM_MS = 10 * 60 * 1000;
const KUSTOMIZATION_NAMES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

export const shortImageName = (image: string) => image.slice(image.lastIndexOf("/") + 1);

/** `tideline/images/<policy>/<env>-<tag>`, with characters Git refuses in a branch name replaced. */
export function changeBranchName(policy: string, environment: string, tag: string): string {
  const safeTag = tag
    .replace(/\.{2,}/g, "-")
    .replace(/\.lock$/i, "-lock")
    .replace(/^\./, "_");
  return `tideline/images/${policy}/${environment}-${safeTag}`;
}

export function commitMessage(req: WriteRequest, env: TargetEnvironment, from: string | null): string {
  const name = shortImageName(req.policy.image);
  const subject = from ? `chore(images): ${name} ${from} -> ${req.tag} in ${env.name}` : `chore(images): ${name} ${req.tag} in ${env.name}`;
  const body = [
    `Policy: ${req.policy.name}`,
    `Image: ${req.policy.image}:${req.tag}`,
    ...(req.digest ? [`Digest: ${req.digest}`] : []),
    `Environment: ${env.application.name}/${env.name} (${env.branch}:${env.path || "/"})`,
    `Trigger: ${req.trigger}`,
  ];
  return `${subject}\n\n${body.join("\n")}\n`;
}

/** The Flux marker naming this policy ("ns:name" whose name is the policy's); any other marker in the
 *  sources still gets a policy set, so lines that other policies own are never rewritten. */
export function policyMarkerFor(current: CurrentImage[], policyName: string): string | undefined {
  const flux = current.filter((c) => c.via === "imagepolicy-marker" && c.policy);
  if (flux.length === 0) return undefined;
  const mine = flux.find((c) => c.policy === policyName || c.policy!.split(":").pop() === policyName);
  return mine?.policy ?? policyName;
}

function targetKustomization(files: Map<string, string>, envPath: string): string | undefined {
  const dir = envPath.replace(/^\/+|\/+$/g, "");
  return KUSTOMIZATION_NAMES.map((n) => (dir ? `${dir}/${n}` : n)).find((p) => files.has(p));
}

const tagOf = (ref: string | undefined) => (ref ? (tryParseImageRef(ref)?.tag ?? null) : null);
const isUniqueViolation = (e: unknown) => e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002";
const message = (e: unknown) => (e instanceof AppError ? e.message : e instanceof Error ? e.message : String(e));

/** Takes the (policy, env, tag) row for this process: creates it, or moves it to pending from a settled state.
 *  While pending, committedAt holds the claim time (stale claims are taken over). */
async function claimUpdate(
  prisma: PrismaClient,
  key: { policyId: string; environmentId: string; tag: string },
  fields: { digest: string | null; previousTag: string | null; trigger: string },
): Promise<{ id: string } | { busy: ImageUpdate }> {
  const now = new Date();
  try {
    const row = await prisma.imageUpdate.create({ data: { ...key, ...fields, status: "pending", committedAt: now } });
    return { id: row.id };
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
  }
  const row = await prisma.imageUpdate.findUniqueOrThrow({ where: { policyId_environmentId_tag: key } });
  const stale = row.status === "pending" && (!row.committedAt || now.getTime() - row.committedAt.getTime() > STALE_CLAIM_MS);
  if (row.status === "pending" && !stale) return { busy: row };
  const taken = await prisma.imageUpdate.updateMany({
    where: { id: row.id, status: row.status, ...(row.status === "pending" ? { committedAt: row.committedAt } : {}) },
    data: { ...fields, status: "pending", committedAt: now, commitSha: null, changeRequestId: null, syncedAt: null, error: null },
  });
  return taken.count === 1 ? { id: row.id } : { busy: row };
}

interface Plan {
  head: string;
  result: UpdateSourcesResult;
  from: string | null;
  fromTags: string[];
}

async function planEdit(deps: AutomationDeps, req: WriteRequest, env: TargetEnvironment): Promise<Plan | EnvironmentOutcome> {
  const base = { environmentId: env.id, environment: env.name, application: env.application.name };
  const { gitdir, repo } = await repositoryAccess(deps, env.repositoryId);
  const head = await mirrorHead(gitdir, env.branch);
  if (!head) return { ...base, status: "failed", reason: `Branch "${env.branch}" is not in ${repo.name}'s mirror (fetch the repository)` };
  const files = await environmentSourceFiles(gitdir, head, env);
  const current = currentImagesInSources(files);
  const result = updateImagesInSources(files, [{ name: req.policy.image, tag: req.tag }], {
    targetKustomization: targetKustomization(files, env.path),
    policyMarker: policyMarkerFor(current, req.policy.name),
    allowPlainImageFields: true,
  });
  if (result.unmatched.length) {
    return {
      ...base,
      status: "not_referenced",
      to: req.tag,
      reason: `${req.policy.image} is not referenced in ${env.path || "/"} on ${env.branch} (add a kustomize images: entry, a Helm values tag or an image: field)`,
    };
  }
  const changed = result.applied.filter((a) => a.changed);
  const fromTags = [...new Set(changed.map((a) => tagOf(a.from)).filter((t): t is string => Boolean(t)))];
  return { head, result, from: fromTags[0] ?? null, fromTags };
}

export async function applyToEnvironment(deps: AutomationDeps, req: WriteRequest, env: TargetEnvironment): Promise<EnvironmentOutcome> {
  const { prisma } = deps;
  const base = { environmentId: env.id, environment: env.name, application: env.application.name };
  const frozen = await freezeRefusal(prisma, env.id, "image-update");
  if (frozen) return { ...base, status: "skipped", to: req.tag, reason: frozen };
  let plan: Plan | EnvironmentOutcome;
  try {
    plan = await planEdit(deps, req, env);
  } catch (e) {
    return { ...base, status: "failed", to: req.tag, reason: message(e) };
  }
  if (!("head" in plan)) return plan;
  const key = { policyId: req.policy.id, environmentId: env.id, tag: req.tag };
  const existing = await prisma.imageUpdate.findUnique({ where: { policyId_environmentId_tag: key } });
  if (plan.result.files.length === 0) {
    return { ...base, status: "up_to_date", from: req.tag, to: req.tag, ...(existing ? { updateId: existing.id } : {}) };
  }
  const fields = { digest: req.digest, previousTag: plan.from, trigger: req.trigger };

  const downgrade = plan.fromTags.find((t) => isDowngrade(req.policy.policy as TagPolicy, t, req.tag));
  if (downgrade && !req.policy.allowDowngrade) {
    const reason = `Refused downgrade ${downgrade} -> ${req.tag} (the policy does not allow downgrades)`;
    if (existing?.status === "skipped" && existing.error === reason)
      return { ...base, status: "skipped", from: plan.from, to: req.tag, updateId: existing.id, reason };
    const claim = await claimUpdate(prisma, key, fields);
    if ("busy" in claim) return { ...base, status: "in_progress", from: plan.from, to: req.tag, updateId: claim.busy.id };
    await prisma.imageUpdate.update({ where: { id: claim.id }, data: { status: "skipped", error: reason, committedAt: null } });
    return { ...base, status: "skipped", from: plan.from, to: req.tag, updateId: claim.id, reason };
  }

  const branch = changeBranchName(req.policy.name, env.name, req.tag);
  if (req.policy.writeMode === "change_request" && existing?.status === "change_request" && existing.changeRequestId) {
    const cr = await prisma.changeRequest.findUnique({ where: { id: existing.changeRequestId } });
    // Open, or closed by a person: either way this update was proposed once and is not proposed again.
    if (cr)
      return {
        ...base,
        status: "already_proposed",
        from: plan.from,
        to: req.tag,
        updateId: existing.id,
        changeRequestId: cr.id,
        changeRequestNumber: cr.number,
      };
  }

  const claim = await claimUpdate(prisma, key, fields);
  if ("busy" in claim) return { ...base, status: "in_progress", from: plan.from, to: req.tag, updateId: claim.busy.id };
  const edits = plan.result.files.map((f) => ({ path: f.path, content: f.after }));
  const text = commitMessage(req, env, plan.from);
  try {
    if (req.policy.writeMode === "change_request") {
      const outcome = await propose(deps, req, env, { branch, baseSha: plan.head, edits, text });
      await prisma.imageUpdate.update({
        where: { id: claim.id },
        data: { status: "change_request", changeRequestId: outcome.id, commitSha: outcome.headSha, committedAt: outcome.createdAt },
      });
      return {
        ...base,
        status: outcome.existed ? "already_proposed" : "change_request",
        from: plan.from,
        to: req.tag,
        updateId: claim.id,
        changeRequestId: outcome.id,
        changeRequestNumber: outcome.number,
        commitSha: outcome.headSha,
      };
    }
    const pushed = await commitToBranch(deps, {
      repositoryId: env.repositoryId,
      branch: env.branch,
      baseSha: plan.head,
      edits,
      message: text,
      author: AUTOMATION_AUTHOR,
    });
    await prisma.imageUpdate.update({ where: { id: claim.id }, data: { status: "committed", commitSha: pushed.sha, committedAt: new Date() } });
    return { ...base, status: "committed", from: plan.from, to: req.tag, updateId: claim.id, commitSha: pushed.sha };
  } catch (e) {
    await prisma.imageUpdate.update({ where: { id: claim.id }, data: { status: "failed", error: message(e).slice(0, 2000), committedAt: null } });
    return { ...base, status: "failed", from: plan.from, to: req.tag, updateId: claim.id, reason: message(e) };
  }
}

/** Opens the change request, or finds the one already open on this update's branch (no duplicates). */
async function propose(
  deps: AutomationDeps,
  req: WriteRequest,
  env: TargetEnvironment,
  w: { branch: string; baseSha: string; edits: Array<{ path: string; content: string }>; text: string },
) {
  const findExisting = () =>
    deps.prisma.changeRequest.findFirst({ where: { repositoryId: env.repositoryId, headBranch: w.branch }, orderBy: { createdAt: "desc" } });
  const { gitdir } = await repositoryAccess(deps, env.repositoryId);
  const known = (await mirrorHead(gitdir, w.branch)) ? await findExisting() : null;
  if (known) return { ...known, existed: true };
  const [title, ...rest] = w.text.split("\n");
  try {
    const cr = await proposeChange(
      deps,
      { id: null, username: "image-automation", displayName: AUTOMATION_AUTHOR.name },
      {
        repositoryId: env.repositoryId,
        baseBranch: env.branch,
        baseSha: w.baseSha,
        headBranch: w.branch,
        title: title!,
        body: rest.join("\n").trim(),
        files: [],
        edits: w.edits,
        kind: "image-update",
      },
    );
    return { ...cr, existed: false };
  } catch (e) {
    // Another replica (or an earlier run whose record was lost) pushed this branch first.
    const existing = e instanceof AppError && e.code === "conflict" ? await findExisting() : null;
    if (existing) return { ...existing, existed: true };
    throw e;
  }
}

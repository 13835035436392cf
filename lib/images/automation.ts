// checkPolicy: list the image's tags (credentials unsealed), choose the newest the policy allows and
// move every target environment to it; registry failures back off (Retry-After honoured), never hammer.
import type { ImagePolicy } from "../generated/prisma/client";
import { AppError, notFound } from "../errors";
import { getManifestDigest, listTags, type RegistryCredentials } from "./registry-client";
import { selectTag, type TagPolicy, type TagSelection } from "./tag-policy";
import { noteImageUpdates } from "../notifications/domain-events";
import { applyToEnvironment, type TargetEnvironment } from "./automation-write";
import type { AutomationDeps, CheckOptions, CheckOutcome, EnvironmentOutcome } from "./automation-types";

export type { AutomationDeps, CheckOptions, CheckOutcome, EnvironmentOutcome } from "./automation-types";

const BACKOFF_MIN_SECONDS = 30;
const BACKOFF_MAX_SECONDS = 3600;
const RETRY_AFTER_MAX_SECONDS = 6 * 3600;

/** lastError is "<code>: <message>", so the code survives for the UI, the tests and the backoff. */
export const errorCodeOf = (lastError: string | null) => (lastError ? (/^([a-z_]+):/.exec(lastError)?.[1] ?? null) : null);

/** When to try again after a failed check: Retry-After when the registry gave one, else doubling from 30 s. */
export function nextCheckAfterError(
  policy: Pick<ImagePolicy, "lastError" | "lastCheckedAt" | "intervalSeconds">,
  scheduledAt: Date,
  error: AppError,
  now: Date,
): Date {
  const retryAfter = error.code === "rate_limited" ? (error.details?.retryAfterSeconds as number | null | undefined) : null;
  if (typeof retryAfter === "number" && retryAfter > 0) return new Date(now.getTime() + Math.min(retryAfter, RETRY_AFTER_MAX_SECONDS) * 1000);
  const previous = policy.lastError && policy.lastCheckedAt ? (scheduledAt.getTime() - policy.lastCheckedAt.getTime()) / 1000 : 0;
  const ceiling = Math.max(BACKOFF_MAX_SECONDS, policy.intervalSeconds);
  const delay = Math.min(ceiling, Math.max(BACKOFF_MIN_SECONDS, previous > 0 ? previous * 2 : BACKOFF_MIN_SECONDS));
  return new Date(now.getTime() + delay * 1000);
}

function credentialsOf(deps: AutomationDeps, policy: ImagePolicy): RegistryCredentials | null {
  if (!policy.username && !policy.encryptedPassword) return null;
  return { username: policy.username ?? "", password: policy.encryptedPassword ? deps.unseal(policy.encryptedPassword) : "" };
}

function describeNoMatch(tags: string[], selection: TagSelection): string {
  if (tags.length === 0) return "no_match: the repository has no tags";
  const sample = selection.skipped
    .slice(0, 3)
    .map((s) => `${s.tag}: ${s.reason}`)
    .join("; ");
  return `no_match: none of the ${tags.length} tag(s) satisfies the policy${sample ? ` (${sample})` : ""}`;
}

async function loadPolicy(deps: AutomationDeps, policyId: string) {
  const policy = await deps.prisma.imagePolicy.findUnique({
    where: { id: policyId },
    include: {
      targets: {
        include: {
          environment: {
            select: { id: true, name: true, path: true, branch: true, repositoryId: true, helmValuesFiles: true, application: { select: { name: true } } },
          },
        },
      },
    },
  });
  if (!policy) throw notFound(`Image policy ${policyId} does not exist`);
  return policy;
}

export async function checkPolicy(deps: AutomationDeps, policyId: string, opts: CheckOptions = { trigger: "poll" }): Promise<CheckOutcome> {
  const started = Date.now();
  const now = new Date();
  const policy = await loadPolicy(deps, policyId);
  const targets: TargetEnvironment[] = policy.targets.map((t) => t.environment);
  const outcome: CheckOutcome = {
    policyId: policy.id,
    policy: policy.name,
    image: policy.image,
    trigger: opts.trigger,
    ok: false,
    latestTag: policy.latestTag,
    digest: policy.latestDigest,
    requests: 0,
    tagsListed: 0,
    tagsSkipped: 0,
    skippedSample: [],
    environments: [],
    nextCheckAt: policy.nextCheckAt.toISOString(),
    durationMs: 0,
  };
  const finish = () => ({ ...outcome, durationMs: Date.now() - started });

  // A registry that asked us to wait is not asked again early, whatever triggered this check.
  if (errorCodeOf(policy.lastError) === "rate_limited" && policy.nextCheckAt > now && opts.trigger !== "poll") {
    outcome.error = { code: "rate_limited", message: `${policy.lastError} (waiting until ${policy.nextCheckAt.toISOString()})` };
    return finish();
  }

  let requests = 0;
  const baseFetch = deps.fetchImpl ?? fetch;
  const fetchImpl: typeof fetch = (input, init) => {
    requests += 1;
    return baseFetch(input, init);
  };
  const registry = { image: policy.image, credentials: credentialsOf(deps, policy), insecure: policy.insecure, fetchImpl };

  let tag: string;
  let digest: string | null;
  try {
    const { tags } = await listTags(registry);
    const selection = selectTag(tags, policy.policy as TagPolicy);
    Object.assign(outcome, { tagsListed: tags.length, tagsSkipped: selection.skipped.length, skippedSample: selection.skipped.slice(0, 10) });
    if (opts.pushed?.tag) {
      const skipped = selection.skipped.find((s) => s.tag === opts.pushed!.tag);
      const known = tags.includes(opts.pushed.tag);
      outcome.pushed = {
        ...opts.pushed,
        selected: selection.tag === opts.pushed.tag,
        ...(skipped
          ? { reason: skipped.reason }
          : !known
            ? { reason: "not in the registry's tag list (yet)" }
            : selection.tag !== opts.pushed.tag
              ? { reason: `${selection.tag} is newer` }
              : {}),
      };
    }
    if (!selection.tag) {
      const next = new Date(now.getTime() + policy.intervalSeconds * 1000);
      await deps.prisma.imagePolicy.update({
        where: { id: policy.id },
        data: {
          lastCheckedAt: now,
          nextCheckAt: next,
          lastRequests: requests,
          lastError: describeNoMatch(tags, selection),
          latestTag: null,
          latestDigest: null,
        },
      });
      Object.assign(outcome, {
        requests,
        latestTag: null,
        digest: null,
        nextCheckAt: next.toISOString(),
        error: { code: "no_match", message: describeNoMatch(tags, selection) },
      });
      return finish();
    }
    tag = selection.tag;
    if (opts.pushed?.tag === tag && opts.pushed.digest) digest = opts.pushed.digest;
    else if (policy.latestTag === tag && policy.latestDigest) digest = policy.latestDigest;
    else digest = await getManifestDigest({ ...registry, tag });
  } catch (e) {
    const error = e instanceof AppError ? e : new AppError("internal", e instanceof Error ? e.message : String(e));
    const next = nextCheckAfterError(policy, opts.scheduledAt ?? policy.nextCheckAt, error, now);
    const lastError = `${error.code}: ${error.message}`.slice(0, 2000);
    await deps.prisma.imagePolicy.update({ where: { id: policy.id }, data: { lastCheckedAt: now, nextCheckAt: next, lastRequests: requests, lastError } });
    Object.assign(outcome, { requests, nextCheckAt: next.toISOString(), error: { code: error.code, message: error.message } });
    return finish();
  }

  const next = new Date(now.getTime() + policy.intervalSeconds * 1000);
  await deps.prisma.imagePolicy.update({
    where: { id: policy.id },
    data: { latestTag: tag, latestDigest: digest, lastCheckedAt: now, nextCheckAt: next, lastRequests: requests, lastError: null },
  });
  Object.assign(outcome, { ok: true, latestTag: tag, digest, requests, nextCheckAt: next.toISOString() });

  // One environment at a time: several may share a branch, and each write is a compare-and-swap push.
  for (const env of targets) outcome.environments.push(await applyToEnvironment(deps, { policy, tag, digest, trigger: opts.trigger }, env));
  await noteImageUpdates(deps.prisma, policy, outcome.environments);

  const problems = outcome.environments.filter((o) => o.status === "failed" || o.status === "not_referenced");
  if (problems.length) {
    const code = problems.some((p) => p.status === "failed") ? "write_failed" : "not_referenced";
    const text = `${code}: ${problems.map((p) => `${p.application}/${p.environment}: ${p.reason}`).join("; ")}`.slice(0, 2000);
    await deps.prisma.imagePolicy.update({ where: { id: policy.id }, data: { lastError: text } });
  }
  return finish();
}

// Receives a Git push webhook (GitHub, GitLab, Gitea, generic HMAC): size cap, per-repository rate
// limit, signature check with the repository's secret, replay refusal, then a background fetch +
// reconcile; every call is recorded. An unauthenticated delivery costs at most MAX_CANDIDATES
// signature checks (one per distinct secret), never one per repository Tideline tracks.
import type { PrismaClient, Repository } from "../generated/prisma/client";
import type { Prisma } from "../generated/prisma/client";
import { AppError } from "../errors";
import { normalizeRepoUrl, parsePushEvent } from "./git-push";
import { readBodyWithLimit, isPayloadTooLarge } from "./limits";
import { detectGitProvider, verifyWebhook, type VerifyResult, type WebhookProvider } from "./verify";
import { recordDelivery, recordReplay, type DeliveryOutcome } from "./deliveries";
import { claimedDeliveryId, claimedEvent, claimedRepoUrls, isWebhookProvider, parseJsonBody } from "./git-webhook-body";
import { claimedOrganization, repoOwnerOf } from "./org-candidates";

/** Largest delivery body accepted (GitHub caps its payloads at 25 MB; pushes are far smaller). */
export const GIT_WEBHOOK_MAX_BYTES = 1024 * 1024;
/** At most this many repositories are tried for one delivery without a repository id. */
export const MAX_CANDIDATES = 10;

/** A rate limit's verdict for one delivery (lib/rate-limit/counter.ts `hit`). */
export type LimitVerdict = { allowed: boolean; retryAfterSeconds: number; firstRefusal: boolean };

export interface GitWebhookDeps {
  prisma: PrismaClient;
  unseal: (sealed: string) => string;
  /** Starts fetch + reconcile of the repository; must return at once (the answer has to be fast). */
  startFetch: (repositoryId: string) => void;
  /** Counts a delivery to a repository against its rate limit; absent: no limit. */
  limitRepository?: (repositoryId: string) => Promise<LimitVerdict>;
  /** The signature check (replaceable so tests can count how many ran). */
  verify?: typeof verifyWebhook;
}

export interface GitWebhookInput {
  /** The repository in the hook's URL; absent: find repositories by the URLs the payload names. */
  repositoryId?: string | null;
  /** Explicit provider (e.g. ?provider=gitea); otherwise detected from the headers. */
  provider?: string | null;
  headers: Headers;
  rawBody: Buffer;
  now?: Date;
}

export interface GitWebhookAnswer {
  status: number;
  /** For 429: when to try again (the Retry-After header). */
  retryAfterSeconds?: number;
  body: { outcome: DeliveryOutcome; deliveryId: string | null; reason?: string; repositoryId?: string; error?: { code: string; message: string } };
}

type Target = Pick<Repository, "id" | "url" | "encryptedWebhookSecret">;
type Verified = { deliveryId: string; event: string };
const TARGET_FIELDS = { id: true, url: true, encryptedWebhookSecret: true } as const;

const CODES: Record<number, string> = {
  400: "invalid",
  401: "unauthenticated",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  413: "invalid",
  422: "invalid",
  429: "rate_limited",
  500: "internal",
};

/** Records a refused delivery. Its id is not reserved: a fixed sender may redeliver the same id. */
async function reject(
  deps: GitWebhookDeps,
  status: number,
  reason: string,
  d: { source: WebhookProvider; event?: string | null; deliveryId?: string | null; repositoryId?: string | null; summary?: Prisma.InputJsonObject },
): Promise<GitWebhookAnswer> {
  const summary = { ...(d.deliveryId ? { claimedDeliveryId: d.deliveryId } : {}), ...(d.summary ?? {}) };
  await recordDelivery(deps.prisma, { source: d.source, event: d.event ?? null, outcome: "rejected", reason, summary, repositoryId: d.repositoryId ?? null });
  return {
    status,
    body: {
      outcome: "rejected",
      deliveryId: d.deliveryId ?? null,
      reason,
      ...(d.repositoryId ? { repositoryId: d.repositoryId } : {}),
      error: { code: CODES[status] ?? "invalid", message: reason },
    },
  };
}

/** 429 for a repository over its limit; only the first refusal of a window is recorded (a flood writes one row). */
async function rateLimited(
  deps: GitWebhookDeps,
  verdict: LimitVerdict,
  d: { source: WebhookProvider; event?: string | null; deliveryId?: string | null; repositoryId: string },
): Promise<GitWebhookAnswer> {
  const reason = `too many deliveries for this repository; try again in ${verdict.retryAfterSeconds} s`;
  if (verdict.firstRefusal) return { ...(await reject(deps, 429, reason, d)), retryAfterSeconds: verdict.retryAfterSeconds };
  return {
    status: 429,
    retryAfterSeconds: verdict.retryAfterSeconds,
    body: { outcome: "rejected", deliveryId: d.deliveryId ?? null, reason, repositoryId: d.repositoryId, error: { code: "rate_limited", message: reason } },
  };
}

function providerOf(input: GitWebhookInput): { provider: WebhookProvider } | { reason: string } {
  if (input.provider) {
    if (isWebhookProvider(input.provider)) return { provider: input.provider };
    return { reason: `unknown provider "${input.provider.slice(0, 40)}"; use github, gitlab, gitea or generic` };
  }
  const detected = detectGitProvider(input.headers);
  if (detected) return { provider: detected };
  return {
    reason: "cannot tell which Git provider sent this: expected X-GitHub-Event, X-Gitlab-Event, X-Gitea-Event or X-Tideline-Signature headers (or ?provider=)",
  };
}

function unsealed(deps: GitWebhookDeps, target: Target): string | null {
  try {
    return target.encryptedWebhookSecret ? deps.unseal(target.encryptedWebhookSecret) : null;
  } catch {
    return null;
  }
}

/** Handles a delivery whose body was already read. */
export async function handleGitWebhook(deps: GitWebhookDeps, input: GitWebhookInput): Promise<GitWebhookAnswer> {
  const which = providerOf(input);
  if ("reason" in which) return reject(deps, 400, which.reason, { source: "generic", repositoryId: null });
  const provider = which.provider;
  const claimed = { source: provider, event: claimedEvent(provider, input.headers), deliveryId: claimedDeliveryId(provider, input.headers) };
  const now = input.now ?? new Date();
  const verify = deps.verify ?? verifyWebhook;

  if (input.repositoryId) {
    const repo = await deps.prisma.repository.findUnique({ where: { id: input.repositoryId }, select: TARGET_FIELDS });
    if (!repo)
      return reject(deps, 404, `no repository ${input.repositoryId.slice(0, 60)} is tracked by Tideline`, {
        ...claimed,
        summary: { repositoryId: input.repositoryId.slice(0, 60) },
      });
    if (!repo.encryptedWebhookSecret) return reject(deps, 403, "webhooks are not enabled for this repository", { ...claimed, repositoryId: repo.id });
    const verdict = await deps.limitRepository?.(repo.id);
    if (verdict && !verdict.allowed) return rateLimited(deps, verdict, { ...claimed, repositoryId: repo.id });
    const secret = unsealed(deps, repo);
    if (secret === null)
      return reject(deps, 500, "the repository's webhook secret cannot be decrypted with the current TIDELINE_SECRET_KEY; rotate the webhook secret", {
        ...claimed,
        repositoryId: repo.id,
      });
    const verified = verify(provider, input.rawBody, input.headers, secret, now);
    if (!verified.ok) return reject(deps, 401, verified.reason, { ...claimed, repositoryId: repo.id });
    return handleVerified(deps, provider, verified, [repo], input, true);
  }

  // URL matching: the payload (not yet trusted) says which repositories; one of their secrets must verify it.
  const body = parseJsonBody(input.rawBody, input.headers.get("content-type"));
  if (!body.ok) return reject(deps, 400, body.reason, claimed);
  const urls = claimedRepoUrls(body.json);
  // An organization hook's ping names no repository, only the organization: its repositories are the candidates.
  const org = urls.length === 0 && claimed.event === "ping" ? claimedOrganization(body.json) : null;
  if (urls.length === 0 && !org) {
    if (claimed.event === "ping") return ignoredUnverified(deps, "ping names no repository or organization; nothing to verify it against", claimed);
    return reject(deps, 404, "the payload names no repository URL", { ...claimed, summary: { repoUrls: [] } });
  }
  // Only ids and URLs of every enabled repository are read; secrets only of the few that match.
  const enabled = await deps.prisma.repository.findMany({
    where: { encryptedWebhookSecret: { not: null } },
    select: { id: true, url: true },
    orderBy: { createdAt: "asc" },
  });
  const matching = enabled.filter((r) => (org ? ownedBy(r.url, org) : urls.includes(normalizeRepoUrl(r.url))));
  if (matching.length === 0) {
    if (org) return ignoredUnverified(deps, `no repository with webhooks enabled belongs to ${org.login}`, claimed);
    return reject(deps, 404, `no repository with webhooks enabled has the URL ${urls.join(", ")}`, { ...claimed, summary: { repoUrls: urls.slice(0, 5) } });
  }
  const picked = matching.slice(0, MAX_CANDIDATES);
  // Repositories over their rate limit are left out; when all are, the delivery waits.
  const verdicts = await Promise.all(picked.map(async (r) => ({ r, verdict: await deps.limitRepository?.(r.id) })));
  const open = verdicts.filter((v) => !v.verdict || v.verdict.allowed).map((v) => v.r.id);
  if (open.length === 0) {
    const soonest = verdicts.reduce((a, b) => (a.verdict!.retryAfterSeconds <= b.verdict!.retryAfterSeconds ? a : b));
    return rateLimited(deps, { ...soonest.verdict!, firstRefusal: verdicts.some((v) => v.verdict!.firstRefusal) }, { ...claimed, repositoryId: picked[0]!.id });
  }
  const candidates: Target[] = await deps.prisma.repository.findMany({ where: { id: { in: open } }, select: TARGET_FIELDS, orderBy: { createdAt: "asc" } });

  // One signature check per distinct secret (an organization hook shares one secret over its repositories).
  const bySecret = new Map<string, VerifyResult>();
  const matched: Target[] = [];
  const failures = new Set<string>();
  let verified: Verified | null = null;
  for (const candidate of candidates) {
    const secret = unsealed(deps, candidate);
    let result: VerifyResult;
    if (secret === null) result = { ok: false, reason: "the webhook secret cannot be decrypted" };
    else {
      result = bySecret.get(secret) ?? verify(provider, input.rawBody, input.headers, secret, now);
      bySecret.set(secret, result);
    }
    if (!result.ok) {
      failures.add(result.reason);
      continue;
    }
    verified ??= result;
    matched.push(candidate);
  }
  if (!verified) {
    const reason =
      failures.size === 1
        ? [...failures][0]!
        : `signature does not match the secret of any of the ${candidates.length} repositories ${org ? `of ${org.login}` : "with this URL"}`;
    return reject(deps, 401, reason, { ...claimed, repositoryId: candidates.length === 1 ? candidates[0]!.id : null, summary: { repoUrls: urls.slice(0, 5) } });
  }
  return handleVerified(deps, provider, verified, matched, input, false);
}

/** Whether a repository URL belongs to an organization (same owner, and the same host when the payload says). */
function ownedBy(url: string, org: { login: string; host: string | null }): boolean {
  const owner = repoOwnerOf(url);
  return owner !== null && owner.login === org.login.toLowerCase() && (org.host === null || owner.host === org.host);
}

/** 202 "ignored" for a delivery nothing could verify and nothing acts on (no signature was checked). */
async function ignoredUnverified(
  deps: GitWebhookDeps,
  reason: string,
  d: { source: WebhookProvider; event: string | null; deliveryId: string | null },
): Promise<GitWebhookAnswer> {
  await recordDelivery(deps.prisma, {
    source: d.source,
    event: d.event,
    outcome: "ignored",
    reason,
    summary: d.deliveryId ? { claimedDeliveryId: d.deliveryId } : {},
    repositoryId: null,
    deliveryId: null,
  });
  return { status: 202, body: { outcome: "ignored", deliveryId: null, reason } };
}

/** A verified delivery: ping, ignored event, or a push to fetch. */
async function handleVerified(
  deps: GitWebhookDeps,
  provider: WebhookProvider,
  verified: Verified,
  targets: Target[],
  input: GitWebhookInput,
  checkUrl: boolean,
): Promise<GitWebhookAnswer> {
  const base = { source: provider, event: verified.event, deliveryId: verified.deliveryId, repositoryId: targets[0]!.id };
  const body = parseJsonBody(input.rawBody, input.headers.get("content-type"));
  if (!body.ok) return reject(deps, 400, body.reason, base);
  let parsed;
  try {
    parsed = parsePushEvent(provider, verified.event, body.json);
  } catch (error) {
    if (error instanceof AppError) return reject(deps, 422, error.message, base);
    throw error;
  }

  let outcome: DeliveryOutcome;
  let reason: string | null = null;
  let summary: Prisma.InputJsonObject;
  let toFetch: Target[] = [];
  if (parsed.kind === "ping") {
    outcome = "accepted";
    summary = { kind: "ping" };
  } else if (parsed.kind === "ignored") {
    outcome = "ignored";
    reason = parsed.reason;
    summary = {};
  } else {
    toFetch = checkUrl ? targets.filter((t) => parsed.repoUrls.includes(normalizeRepoUrl(t.url))) : targets;
    if (toFetch.length === 0) {
      return reject(deps, 422, `payload is for ${parsed.repoUrls[0]}, not this repository (${normalizeRepoUrl(targets[0]!.url)})`, {
        ...base,
        summary: { branch: parsed.branch, after: parsed.after, repoUrls: parsed.repoUrls.slice(0, 5) },
      });
    }
    outcome = "accepted";
    summary = {
      branch: parsed.branch,
      after: parsed.after,
      commits: parsed.commits,
      pusher: parsed.pusher ?? null,
      ...(toFetch.length > 1 ? { repositoryIds: toFetch.map((t) => t.id) } : {}),
    };
  }

  const fresh = await recordDelivery(deps.prisma, { ...base, outcome, reason, summary });
  if (!fresh) {
    await recordReplay(deps.prisma, { ...base, summary });
    const message = `delivery ${verified.deliveryId} was already received`;
    return {
      status: 409,
      body: {
        outcome: "rejected",
        deliveryId: verified.deliveryId,
        reason: "already received",
        repositoryId: base.repositoryId,
        error: { code: "conflict", message },
      },
    };
  }
  for (const target of toFetch) deps.startFetch(target.id);
  return {
    status: parsed.kind === "ping" ? 200 : 202,
    body: { outcome, deliveryId: verified.deliveryId, ...(reason ? { reason } : {}), repositoryId: base.repositoryId },
  };
}

/** Reads the request body (at most `maxBytes`) and handles the delivery; 413 when it is larger. */
export async function receiveGitWebhook(
  deps: GitWebhookDeps,
  request: Request,
  opts: { repositoryId?: string | null; provider?: string | null; maxBytes?: number; now?: Date },
): Promise<GitWebhookAnswer> {
  let rawBody: Buffer;
  try {
    rawBody = await readBodyWithLimit(request, opts.maxBytes ?? GIT_WEBHOOK_MAX_BYTES);
  } catch (error) {
    if (!isPayloadTooLarge(error)) throw error;
    const provider = opts.provider && isWebhookProvider(opts.provider) ? opts.provider : (detectGitProvider(request.headers) ?? "generic");
    // Only claims: the body was never read, so nothing is verified. A known repository id is kept for the listing.
    const repo = opts.repositoryId ? await deps.prisma.repository.findUnique({ where: { id: opts.repositoryId }, select: { id: true } }) : null;
    return reject(deps, 413, error.message, {
      source: provider,
      event: claimedEvent(provider, request.headers),
      deliveryId: claimedDeliveryId(provider, request.headers),
      repositoryId: repo?.id ?? null,
      summary: { limitBytes: error.details.limitBytes, receivedBytes: error.details.receivedBytes },
    });
  }
  return handleGitWebhook(deps, { repositoryId: opts.repositoryId, provider: opts.provider, headers: request.headers, rawBody, now: opts.now });
}

/** The HTTP response for an answer. */
export const webhookResponse = (answer: GitWebhookAnswer): Response =>
  Response.json(answer.body, { status: answer.status, ...(answer.retryAfterSeconds ? { headers: { "Retry-After": String(answer.retryAfterSeconds) } } : {}) });

// GitHub pull requests behind ChangeRequestProvider, via @octokit/rest; every GitHub failure
// becomes an AppError that names GitHub and says what to do, and never carries the token.
import { Octokit } from "@octokit/rest";
import { AppError, invalid } from "../../errors";
import type { ChangeRequestProvider, ProviderChangeRequest, ProviderReview } from "./types";

export interface GitHubProviderOptions {
  apiUrl?: string; // https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server
  owner: string;
  repo: string;
  token: string;
  fetchImpl?: typeof fetch;
  timeoutMs?: number; // per request; default 30 s
}

type Pull = {
  number: number;
  html_url: string;
  state: string;
  merged?: boolean | null;
  merged_at?: string | null;
  merge_commit_sha?: string | null;
  title: string;
  body?: string | null;
  head: { ref: string; sha: string };
  base: { ref: string };
  user?: { login: string } | null;
  updated_at: string;
};

const REVIEW_STATE: Record<string, ProviderReview["state"]> = {
  APPROVED: "approved",
  CHANGES_REQUESTED: "changes_requested",
  COMMENTED: "commented",
  // A dismissed review no longer approves or blocks (GitHub no longer says what it was); kept as history.
  DISMISSED: "commented",
};
const REVIEW_EVENT = { approved: "APPROVE", changes_requested: "REQUEST_CHANGES", commented: "COMMENT" } as const;

export function githubProvider(opts: GitHubProviderOptions): ChangeRequestProvider {
  const apiUrl = (opts.apiUrl ?? "https://api.github.com").replace(/\/+$/, "");
  const { owner, repo, token } = opts;
  const baseFetch = opts.fetchImpl ?? globalThis.fetch;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const octokit = new Octokit({
    auth: token,
    baseUrl: apiUrl,
    userAgent: "tideline",
    log: { debug() {}, info() {}, warn() {}, error() {} },
    request: { fetch: ((url, init) => baseFetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) })) as typeof fetch },
  });
  const where = `${owner}/${repo}`;
  const call = async <T>(action: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw githubError(err, { action, where, apiUrl, token });
    }
  };
  const ref = (number: number) => ({ owner, repo, pull_number: number });

  return {
    kind: "github",
    async open(input) {
      if (!input.headBranch || !input.baseBranch) throw invalid("A pull request needs both a head branch and a base branch");
      if (!input.title.trim()) throw invalid("A pull request needs a title");
      const { data } = await call(`open a pull request from ${input.headBranch} into ${input.baseBranch}`, () =>
        octokit.rest.pulls.create({ owner, repo, title: input.title, body: input.body, head: input.headBranch, base: input.baseBranch }),
      );
      return toChangeRequest(data);
    },
    async get(number) {
      const { data } = await call(`read pull request #${number}`, () => octokit.rest.pulls.get(ref(number)));
      return toChangeRequest(data);
    },
    async listReviews(number) {
      const reviews = await call(`list reviews of pull request #${number}`, () =>
        octokit.paginate(octokit.rest.pulls.listReviews, { ...ref(number), per_page: 100 }),
      );
      return reviews.flatMap((r) => {
        const state = REVIEW_STATE[r.state];
        if (!state || !r.submitted_at) return []; // PENDING reviews are drafts only their author sees
        return [
          {
            id: String(r.id),
            author: r.user?.login ?? "ghost",
            state,
            body: r.body ?? "",
            submittedAt: r.submitted_at,
            commitSha: r.commit_id ?? null,
            dismissed: r.state === "DISMISSED",
          },
        ];
      });
    },
    async review(number, input) {
      if (input.state !== "approved" && !input.body.trim()) throw invalid("GitHub needs a comment for a review that requests changes or comments");
      await call(`review pull request #${number}`, () =>
        octokit.rest.pulls.createReview({ ...ref(number), event: REVIEW_EVENT[input.state], ...(input.body ? { body: input.body } : {}) }),
      );
    },
    async merge(number, input) {
      const { data } = await call(`merge pull request #${number}`, () =>
        octokit.rest.pulls.merge({
          ...ref(number),
          merge_method: input.method === "fast-forward" ? "rebase" : "merge",
          ...(input.expectedHeadSha ? { sha: input.expectedHeadSha } : {}),
          ...(input.commitTitle ? { commit_title: input.commitTitle } : {}),
        }),
      );
      return { mergedSha: data.sha };
    },
    async close(number) {
      await call(`close pull request #${number}`, () => octokit.rest.pulls.update({ ...ref(number), state: "closed" }));
    },
  };
}

function toChangeRequest(p: Pull): ProviderChangeRequest {
  const merged = Boolean(p.merged || p.merged_at);
  return {
    number: p.number,
    url: p.html_url,
    state: merged ? "merged" : p.state === "open" ? "open" : "closed",
    title: p.title,
    body: p.body ?? "",
    headBranch: p.head.ref,
    baseBranch: p.base.ref,
    headSha: p.head.sha,
    mergedSha: merged ? (p.merge_commit_sha ?? null) : null,
    author: p.user?.login ?? "ghost",
    updatedAt: p.updated_at,
  };
}

interface HttpFailure {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

/** Maps an Octokit failure (RequestError, or a network error it wrapped) to an AppError. */
export function githubError(err: unknown, ctx: { action: string; where: string; apiUrl: string; token: string }): AppError {
  const e = (err ?? {}) as HttpFailure;
  const status = typeof e.status === "number" ? e.status : 0;
  const headers = e.response?.headers ?? {};
  const header = (name: string) => (headers[name] === undefined ? undefined : String(headers[name]));
  const scrub = (text: string) => (ctx.token ? text.split(ctx.token).join("[REDACTED]") : text);
  const upstream = scrub(githubMessage(e.response?.data) ?? "");
  const details = { provider: "github", status, repository: ctx.where };
  const fail = (code: ConstructorParameters<typeof AppError>[0], message: string, extra: Record<string, unknown> = {}) =>
    new AppError(code, message, { ...details, ...extra });

  if (!e.response) {
    const cause = scrub(e.message ?? String(err));
    return fail(
      "unreachable",
      `Could not reach GitHub at ${safeUrl(ctx.apiUrl)} to ${ctx.action} (${cause}): check the API URL and the network, then try again`,
    );
  }
  const retryAfter = Number(header("retry-after"));
  if ((status === 403 || status === 429) && (header("x-ratelimit-remaining") === "0" || (Number.isFinite(retryAfter) && retryAfter > 0))) {
    const reset = Number(header("x-ratelimit-reset"));
    const retryAfterSeconds =
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : Number.isFinite(reset) ? Math.max(1, Math.ceil(reset - Date.now() / 1000)) : 60;
    return fail("rate_limited", `GitHub's API rate limit for this token is used up; could not ${ctx.action}. Try again in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    });
  }
  switch (status) {
    case 401:
      return fail("upstream_auth", "GitHub rejected the token (expired or revoked): update the repository's token");
    case 403: {
      const needed = header("x-accepted-github-permissions") ?? header("x-accepted-oauth-scopes");
      const hint = needed ? `it needs ${needed}` : "a fine-grained token needs Pull requests: write and Contents: write; a classic token needs the repo scope";
      return fail("forbidden", `GitHub refused to let the token ${ctx.action} in ${ctx.where}: ${hint}${upstream ? ` (GitHub: ${upstream})` : ""}`);
    }
    case 404:
      return fail(
        "not_found",
        `GitHub could not find what was needed to ${ctx.action} in ${ctx.where}: check the owner, repository and number, and that the token can see the repository`,
      );
    case 405:
      if (/not allowed on this repository/i.test(upstream))
        return fail("invalid", `GitHub could not ${ctx.action}: ${upstream} Enable that merge method in the repository settings or choose another`);
      return fail(
        "conflict",
        `GitHub could not ${ctx.action}: it is not mergeable (${upstream || "conflicts, failing required checks or missing reviews"}); resolve that on GitHub and retry`,
      );
    case 409:
      return fail("conflict", `GitHub did not ${ctx.action}: its head branch moved since it was reviewed; review the new commits and try again`);
    case 422:
      if (/already exists/i.test(upstream)) return fail("conflict", `GitHub could not ${ctx.action}: ${upstream} Use the open pull request or close it first`);
      if (/own pull request/i.test(upstream))
        return fail(
          "invalid",
          `GitHub could not ${ctx.action}: ${upstream}. The token belongs to the pull request's author; review with another account's token`,
        );
      return fail("invalid", `GitHub could not ${ctx.action}: ${upstream || "the request was rejected as invalid"}`);
    default:
      if (status >= 500) return fail("unreachable", `GitHub answered ${status} when asked to ${ctx.action}; it may be having an incident, try again shortly`);
      return fail("internal", `GitHub answered ${status} when asked to ${ctx.action}${upstream ? `: ${upstream}` : ""}`);
  }
}

/** GitHub error bodies are { message, errors?, documentation_url }; errors holds strings or { message | field, code }. */
function githubMessage(data: unknown): string | undefined {
  if (!data || typeof data !== "object") return typeof data === "string" && data ? data.slice(0, 300) : undefined;
  const d = data as { message?: unknown; errors?: unknown };
  const parts: string[] = [];
  if (Array.isArray(d.errors)) {
    for (const item of d.errors) {
      if (typeof item === "string") parts.push(item);
      else if (item && typeof item === "object") {
        const i = item as { message?: string; field?: string; code?: string };
        parts.push(
          i.message ??
            (i.field === "head" && i.code === "invalid"
              ? "the head branch does not exist on GitHub (push it first)"
              : `${i.field ?? "field"} is ${i.code ?? "invalid"}`),
        );
      }
    }
  }
  const base = typeof d.message === "string" ? d.message : "";
  const text = parts.length ? parts.join("; ") : base;
  return text ? (/[.!?]$/.test(text) ? text : `${text}.`) : undefined;
}

function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`.replace(/\/+$/, "");
  } catch {
    return "the configured API URL";
  }
}

export interface GitHubRemote {
  owner: string;
  repo: string;
  apiUrl: string;
}

/**
 * Owner, repository and API URL for a GitHub remote (https, ssh or scp-like). github.com and
 * *.ghe.com are recognized on their own; any other host is GitHub Enterprise Server only when
 * the caller says so ({ enterprise: true }), otherwise the result is null (not known to be GitHub).
 * Throws invalid when the URL is malformed or has no owner/repository.
 */
export function parseGitHubRemote(url: string, opts: { enterprise?: boolean } = {}): GitHubRemote | null {
  const parsed = splitRemote(url);
  if (!parsed) throw invalid(`"${redactUserinfo(url)}" is not a Git remote URL: use https://github.com/OWNER/REPO or git@github.com:OWNER/REPO.git`);
  const [owner, rawRepo] = parsed.segments;
  const repo = rawRepo?.replace(/\.git$/, "");
  if (!owner || !repo) throw invalid(`"${redactUserinfo(url)}" does not name a repository: it should end in /OWNER/REPO`);
  const host = parsed.host.toLowerCase();
  if (host === "github.com" || host === "www.github.com") return { owner, repo, apiUrl: "https://api.github.com" };
  const residency = /^([a-z0-9-]+)\.ghe\.com$/.exec(host);
  if (residency) return { owner, repo, apiUrl: `https://api.${residency[1]}.ghe.com` };
  if (!opts.enterprise) return null;
  const scheme = parsed.scheme === "http" ? "http" : "https";
  return { owner, repo, apiUrl: `${scheme}://${parsed.hostWithPort}/api/v3` };
}

/** Splits https://, http://, ssh:// and scp-like (git@host:path) remotes; null when unparseable. */
export function splitRemote(url: string): { scheme: string; host: string; hostWithPort: string; segments: string[] } | null {
  const trimmed = url.trim();
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/)(.+)$/.exec(trimmed);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    return { scheme: "ssh", host: scp[1]!, hostWithPort: scp[1]!, segments: pathSegments(scp[2]!) };
  }
  let u: URL;
  try {
    u = new URL(trimmed);
  } catch {
    return null;
  }
  const scheme = u.protocol.replace(/:$/, "");
  if (!["http", "https", "ssh", "git"].includes(scheme) || !u.hostname) return null;
  // An ssh port is not the web port, so only http(s) keeps it.
  const hostWithPort = scheme === "http" || scheme === "https" ? u.host : u.hostname;
  return { scheme, host: u.hostname, hostWithPort, segments: pathSegments(u.pathname) };
}

function pathSegments(path: string): string[] {
  return path
    .split("/")
    .filter(Boolean)
    .map((s) => decodeURIComponent(s));
}

export function redactUserinfo(url: string): string {
  return url.replace(/\/\/[^/@\s]*@/, "//");
}

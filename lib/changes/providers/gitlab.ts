// GitLab merge requests behind ChangeRequestProvider, over GitLab's REST API v4 with fetch;
// failures become AppErrors that name GitLab and say what to do, and never carry the token.
import { AppError, invalid, type ErrorCode } from "../../errors";
import { redactUserinfo, splitRemote } from "./github";
import type { ChangeRequestProvider, ProviderChangeRequest, ProviderReview } from "./types";

export interface GitLabProviderOptions {
  apiUrl?: string; // https://gitlab.com/api/v4, or https://HOST/api/v4 for a self-managed instance
  projectPath: string; // group/subgroup/project
  token: string;
  fetchImpl?: typeof fetch;
  timeoutMs?: number; // per request; default 30 s
}

/** GitLab has no "changes requested" review state: such reviews are notes starting with this. */
export const CHANGES_REQUESTED_PREFIX = "Changes requested:";

interface User {
  id: number;
  username: string;
}
interface MergeRequest {
  iid: number;
  web_url: string;
  state: string;
  title: string;
  description?: string | null;
  source_branch: string;
  target_branch: string;
  sha?: string | null;
  merge_commit_sha?: string | null;
  squash_commit_sha?: string | null;
  author?: User | null;
  updated_at: string;
}
interface Approvals {
  updated_at?: string;
  approved_by?: { user: User; approved_at?: string | null }[];
}
/** One push to the source branch (GitLab's merge request diff versions, newest first). */
interface Version {
  id: number;
  head_commit_sha: string;
  created_at: string;
}
interface Note {
  id: number;
  body: string;
  system: boolean;
  author?: User | null;
  created_at: string;
}

type Op = "open" | "get" | "read" | "approve" | "unapprove" | "note" | "merge" | "close";
interface Call {
  op: Op;
  action: string; // "merge !3", for messages
  method?: "GET" | "POST" | "PUT";
  path: string; // below /projects/:id, or absolute from the API root when it starts with //
  body?: Record<string, unknown>;
  query?: Record<string, string | number>;
}

export function gitlabProvider(opts: GitLabProviderOptions): ChangeRequestProvider {
  const apiUrl = (opts.apiUrl ?? "https://gitlab.com/api/v4").replace(/\/+$/, "");
  const { projectPath, token } = opts;
  const project = `/projects/${encodeURIComponent(projectPath)}`;
  const doFetch = opts.fetchImpl ?? globalThis.fetch;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const scrub = (text: string) => (token ? text.split(token).join("[REDACTED]") : text);

  async function send(c: Call): Promise<{ status: number; headers: Headers; data: unknown }> {
    const url = new URL(apiUrl + (c.path.startsWith("//") ? c.path.slice(1) : project + c.path));
    for (const [k, v] of Object.entries(c.query ?? {})) url.searchParams.set(k, String(v));
    let res: Response;
    try {
      res = await doFetch(url, {
        method: c.method ?? "GET",
        headers: { "PRIVATE-TOKEN": token, accept: "application/json", ...(c.body ? { "content-type": "application/json" } : {}) },
        body: c.body ? JSON.stringify(c.body) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
      const why =
        e.name === "TimeoutError" ? `no answer within ${Math.round(timeoutMs / 1000)} s` : (e.cause?.code ?? e.cause?.message ?? e.message ?? "network error");
      throw new AppError(
        "unreachable",
        `Could not reach GitLab at ${safeUrl(apiUrl)} to ${c.action} (${scrub(why)}): check the API URL and the network, then try again`,
        { provider: "gitlab", project: projectPath },
      );
    }
    const text = await res.text();
    let data: unknown = text;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      // GitLab answers some errors (429 "Retry later") in plain text.
    }
    return { status: res.status, headers: res.headers, data };
  }

  async function call<T>(c: Call): Promise<{ data: T; headers: Headers }> {
    const r = await send(c);
    if (r.status < 400) return { data: r.data as T, headers: r.headers };
    // GitLab answers 401 both for a bad token and for "this user may not do that" (approve, merge):
    // a token that can still read the current user is valid, so the 401 is about permission.
    let tokenWorks = false;
    if (r.status === 401 && c.op !== "read") {
      const probe = await send({ op: "read", action: "check the token", path: "//user" }).catch(() => null);
      tokenWorks = probe?.status === 200;
    }
    throw gitlabError(r.status, r.headers, r.data, { ...c, projectPath, apiUrl, tokenWorks, scrub });
  }

  const mr = (iid: number) => `/merge_requests/${iid}`;
  const getMr = async (iid: number) => (await call<MergeRequest>({ op: "get", action: `read merge request !${iid}`, path: mr(iid) })).data;
  const me = async () => (await call<User>({ op: "read", action: "read the token's user", path: "//user" })).data;
  const approvals = async (iid: number) => (await call<Approvals>({ op: "get", action: `read approvals of !${iid}`, path: `${mr(iid)}/approvals` })).data;
  const versions = async (iid: number) =>
    (await call<Version[]>({ op: "get", action: `list the versions of !${iid}`, path: `${mr(iid)}/versions`, query: { per_page: 100 } })).data;
  const addNote = (iid: number, body: string) =>
    call({ op: "note", action: `comment on merge request !${iid}`, method: "POST", path: `${mr(iid)}/notes`, body: { body } });

  async function notes(iid: number): Promise<Note[]> {
    const all: Note[] = [];
    for (let page: string | null = "1"; page; ) {
      const r: { data: Note[]; headers: Headers } = await call<Note[]>({
        op: "get",
        action: `list comments of !${iid}`,
        path: `${mr(iid)}/notes`,
        query: { sort: "asc", order_by: "created_at", per_page: 100, page },
      });
      all.push(...r.data);
      page = r.headers.get("x-next-page") || null;
    }
    return all;
  }

  return {
    kind: "gitlab",
    async open(input) {
      if (!input.headBranch || !input.baseBranch) throw invalid("A merge request needs both a source (head) branch and a target (base) branch");
      if (!input.title.trim()) throw invalid("A merge request needs a title");
      const { data } = await call<MergeRequest>({
        op: "open",
        action: `open a merge request from ${input.headBranch} into ${input.baseBranch}`,
        method: "POST",
        path: "/merge_requests",
        body: { source_branch: input.headBranch, target_branch: input.baseBranch, title: input.title, description: input.body },
      });
      return toChangeRequest(data);
    },
    async get(iid) {
      return toChangeRequest(await getMr(iid));
    },
    async listReviews(iid) {
      const [state, comments, pushes] = await Promise.all([approvals(iid), notes(iid), versions(iid)]);
      // GitLab's approvals carry no commit: the head then was the newest version pushed before it.
      const newestFirst = [...pushes].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
      const headAt = (at: string) => newestFirst.find((v) => Date.parse(v.created_at) <= Date.parse(at))?.head_commit_sha ?? null;
      const approved: ProviderReview[] = (state.approved_by ?? []).map((a): ProviderReview => {
        const at = a.approved_at ?? state.updated_at ?? new Date(0).toISOString();
        // An unapproval removes the entry; approving again is a new approval (a new id).
        return {
          id: `approval-${a.user.id}-${at}`,
          author: a.user.username,
          state: "approved",
          body: "",
          submittedAt: at,
          commitSha: headAt(at),
          dismissed: false,
        };
      });
      const commented: ProviderReview[] = comments
        .filter((n) => !n.system)
        .map((n) => {
          const changes = n.body.startsWith(CHANGES_REQUESTED_PREFIX);
          return {
            id: `note-${n.id}`,
            author: n.author?.username ?? "ghost",
            state: changes ? "changes_requested" : "commented",
            body: changes ? n.body.slice(CHANGES_REQUESTED_PREFIX.length).trim() : n.body,
            submittedAt: n.created_at,
            commitSha: headAt(n.created_at),
            dismissed: false,
          };
        });
      return [...approved, ...commented].sort((a, b) => a.submittedAt.localeCompare(b.submittedAt));
    },
    async review(iid, input) {
      if (input.state !== "approved" && !input.body.trim()) throw invalid("A review that requests changes or comments needs a comment");
      if (input.state === "commented") {
        await addNote(iid, input.body);
        return;
      }
      // Approving twice is a 401 on GitLab, so look first; requesting changes withdraws our approval.
      const [user, state] = await Promise.all([me(), approvals(iid)]);
      const mine = (state.approved_by ?? []).some((a) => a.user.id === user.id);
      if (input.state === "approved") {
        if (!mine) await call({ op: "approve", action: `approve merge request !${iid}`, method: "POST", path: `${mr(iid)}/approve` });
        if (input.body.trim()) await addNote(iid, input.body);
        return;
      }
      if (mine) await call({ op: "unapprove", action: `withdraw the approval of !${iid}`, method: "POST", path: `${mr(iid)}/unapprove` });
      await addNote(iid, `${CHANGES_REQUESTED_PREFIX} ${input.body}`);
    },
    async merge(iid, input) {
      if (input.method === "fast-forward") {
        const { data: p } = await call<{ merge_method?: string }>({ op: "get", action: `read the settings of ${projectPath}`, path: "" });
        if (p.merge_method !== "ff") {
          throw invalid(
            `GitLab project ${projectPath} merges with method "${p.merge_method ?? "merge"}", and GitLab only fast-forwards when that is the project's setting: set Settings → Merge requests → Merge method to "Fast-forward merge", or merge with method "merge"`,
            { provider: "gitlab", project: projectPath },
          );
        }
      }
      const { data } = await call<MergeRequest>({
        op: "merge",
        action: `merge merge request !${iid}`,
        method: "PUT",
        path: `${mr(iid)}/merge`,
        body: {
          ...(input.expectedHeadSha ? { sha: input.expectedHeadSha } : {}),
          ...(input.commitTitle && input.method === "merge" ? { merge_commit_message: input.commitTitle } : {}),
        },
      });
      const merged = data.state === "merged" && mergedShaOf(data) ? data : await getMr(iid);
      const sha = merged.state === "merged" ? mergedShaOf(merged) : null;
      if (!sha)
        throw new AppError("conflict", `GitLab accepted the merge of !${iid} but has not finished it; read its state again shortly`, {
          provider: "gitlab",
          project: projectPath,
        });
      return { mergedSha: sha };
    },
    async close(iid) {
      await call({ op: "close", action: `close merge request !${iid}`, method: "PUT", path: mr(iid), body: { state_event: "close" } });
    },
  };
}

function mergedShaOf(m: MergeRequest): string | null {
  // A fast-forward merge has no merge commit: the target branch now points at the head.
  return m.merge_commit_sha ?? m.squash_commit_sha ?? m.sha ?? null;
}

function toChangeRequest(m: MergeRequest): ProviderChangeRequest {
  const state = m.state === "merged" ? "merged" : m.state === "closed" ? "closed" : "open"; // opened, locked
  return {
    number: m.iid,
    url: m.web_url,
    state,
    title: m.title,
    body: m.description ?? "",
    headBranch: m.source_branch,
    baseBranch: m.target_branch,
    headSha: m.sha ?? "",
    mergedSha: state === "merged" ? mergedShaOf(m) : null,
    author: m.author?.username ?? "ghost",
    updatedAt: m.updated_at,
  };
}

/** GitLab error bodies: { message: string | string[] | { field: string[] } } or { error, error_description }. */
function gitlabMessage(data: unknown): string {
  if (typeof data === "string") return data.trim().slice(0, 300);
  if (!data || typeof data !== "object") return "";
  const d = data as { message?: unknown; error?: unknown; error_description?: unknown };
  const m = d.message;
  if (typeof m === "string") return m;
  if (Array.isArray(m)) return m.map(String).join("; ");
  if (m && typeof m === "object")
    return Object.entries(m)
      .map(([field, v]) => `${field} ${Array.isArray(v) ? v.join(", ") : String(v)}`)
      .join("; ");
  return [d.error, d.error_description].filter((x) => typeof x === "string").join(": ");
}

const PERMISSION_HINT: Partial<Record<Op, string>> = {
  approve: "they may be the author while the project prevents authors from approving, or not be an eligible approver",
  unapprove: "they may not have approved it",
  merge: "they need permission to merge into the target branch (Maintainer, or allowed to merge on the protected branch)",
};

function gitlabError(
  status: number,
  headers: Headers,
  data: unknown,
  ctx: Call & { projectPath: string; apiUrl: string; tokenWorks: boolean; scrub: (s: string) => string },
): AppError {
  const upstream = ctx.scrub(gitlabMessage(data));
  const said = upstream ? ` (GitLab: ${upstream})` : "";
  const fail = (code: ErrorCode, message: string, extra: Record<string, unknown> = {}) =>
    new AppError(code, message, { provider: "gitlab", status, project: ctx.projectPath, ...extra });

  if (status === 429) {
    const retryAfter = Number(headers.get("retry-after"));
    const reset = Number(headers.get("ratelimit-reset"));
    const retryAfterSeconds =
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : Number.isFinite(reset) && reset > 0 ? Math.max(1, Math.ceil(reset - Date.now() / 1000)) : 60;
    return fail("rate_limited", `GitLab is rate limiting this token; could not ${ctx.action}. Try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
  if (status === 401 && !ctx.tokenWorks) return fail("upstream_auth", "GitLab rejected the token (expired or revoked): update the repository's token");
  if (status === 401 || status === 403) {
    const scope = typeof data === "object" && data && (data as { error?: string }).error === "insufficient_scope";
    const hint = scope
      ? "the token needs the api scope (read_api only reads)"
      : (PERMISSION_HINT[ctx.op] ?? `the token's user needs at least the Developer role in ${ctx.projectPath}`);
    return fail("forbidden", `GitLab refused to let the token ${ctx.action} in ${ctx.projectPath}: ${hint}${said}`);
  }
  if (status === 404) {
    return fail(
      "not_found",
      `GitLab could not find what was needed to ${ctx.action} in ${ctx.projectPath}: check the project path and number, and that the token's user can see the project`,
    );
  }
  if (ctx.op === "merge" && status === 409) {
    return fail("conflict", `GitLab did not ${ctx.action}: its source branch moved since it was reviewed; review the new commits and try again`);
  }
  if (ctx.op === "merge" && (status === 405 || status === 406 || status === 422)) {
    const why =
      status === 406
        ? "the branch cannot be merged (conflicts, or it must be rebased first)"
        : "it is not mergeable (draft, closed, conflicts, pipeline or approvals pending)";
    return fail("conflict", `GitLab could not ${ctx.action}: ${why}${said}; resolve that on GitLab and retry`);
  }
  if (status === 409 || status === 405 || status === 406) {
    return fail(
      "conflict",
      `GitLab could not ${ctx.action}: ${upstream || "it conflicts with the current state"}${/already exists/i.test(upstream) ? ". Use the open merge request or close it first" : ""}`,
    );
  }
  if (status === 400 || status === 422) return fail("invalid", `GitLab could not ${ctx.action}: ${upstream || "the request was rejected as invalid"}`);
  if (status >= 500) return fail("unreachable", `GitLab answered ${status} when asked to ${ctx.action}; it may be having an incident, try again shortly`);
  return fail("internal", `GitLab answered ${status} when asked to ${ctx.action}${said}`);
}

function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`.replace(/\/+$/, "");
  } catch {
    return "the configured API URL";
  }
}

export interface GitLabRemote {
  projectPath: string;
  apiUrl: string;
}

/**
 * Project path and API URL for a GitLab remote (https, ssh or scp-like; subgroups kept, a
 * trailing /-/... browser path dropped). gitlab.com is recognized on its own; any other host
 * counts as a self-managed GitLab only when the caller says so ({ selfManaged: true }),
 * otherwise the result is null. Throws invalid when the URL is malformed or names no project.
 */
export function parseGitLabRemote(url: string, opts: { selfManaged?: boolean } = {}): GitLabRemote | null {
  const parsed = splitRemote(url);
  if (!parsed) throw invalid(`"${redactUserinfo(url)}" is not a Git remote URL: use https://gitlab.com/GROUP/PROJECT or git@gitlab.com:GROUP/PROJECT.git`);
  const dash = parsed.segments.indexOf("-");
  const segments = (dash === -1 ? parsed.segments : parsed.segments.slice(0, dash)).slice();
  const last = segments.length - 1;
  if (last >= 0) segments[last] = segments[last]!.replace(/\.git$/, "");
  if (segments.length < 2 || segments.some((s) => !s)) throw invalid(`"${redactUserinfo(url)}" does not name a project: it should end in /GROUP/PROJECT`);
  const host = parsed.host.toLowerCase();
  if (host === "gitlab.com" || host === "www.gitlab.com") return { projectPath: segments.join("/"), apiUrl: "https://gitlab.com/api/v4" };
  if (!opts.selfManaged) return null;
  const scheme = parsed.scheme === "http" ? "http" : "https";
  return { projectPath: segments.join("/"), apiUrl: `${scheme}://${parsed.hostWithPort}/api/v4` };
}

// An in-memory GitLab REST API v4 (merge requests, approvals, notes, merges) on 127.0.0.1 for
// tests: it keeps GitLab's documented status codes, field names, error bodies and quirks.
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

type Role = "reporter" | "developer" | "maintainer";
export type GitLabMergeMethod = "merge" | "rebase_merge" | "ff";

interface Account {
  id: number;
  username: string;
  role: Role; // developers cannot merge into the (protected) target branch; reporters cannot open MRs
  scope: "api" | "read_api";
  expired?: boolean;
}

interface Note {
  id: number;
  body: string;
  author: Account;
  system: boolean;
  createdAt: string;
}

interface MergeRequest {
  iid: number;
  title: string;
  description: string | null;
  source: string;
  target: string;
  sha: string;
  baseSha: string;
  author: Account;
  state: "opened" | "closed" | "merged";
  hasConflicts: boolean;
  mergeCommitSha: string | null;
  mergedBy: Account | null;
  mergedAt: string | null;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
  approvals: { user: Account; at: string }[];
  notes: Note[];
  /** Diff versions: one per push to the source branch (GET .../merge_requests/:iid/versions). */
  versions: { id: number; head: string; base: string; createdAt: string }[];
}

export interface FakeGitLabOptions {
  projectPath?: string; // default acme/platform/config
  defaultBranch?: string;
  mergeMethod?: GitLabMergeMethod;
  preventAuthorApproval?: boolean; // GitLab's default: authors cannot approve their own MRs
  /** token -> username (maintainer, api scope), or { username, role, scope } */
  tokens?: Record<string, string | { username: string; role?: Role; scope?: "api" | "read_api" }>;
}

export interface FakeGitLab {
  url: string; // origin; the API lives under /api/v4
  apiUrl: string;
  projectPath: string;
  addToken(token: string, username: string, opts?: { role?: Role; scope?: "api" | "read_api" }): void;
  expireToken(token: string): void;
  /** Moves a branch to `sha` (or a made-up commit); open merge requests from it get a new diff version. */
  pushBranch(name: string, sha?: string): string;
  branchSha(name: string): string | undefined;
  setMergeMethod(method: GitLabMergeMethod): void;
  /** false: the MR has conflicts (merge answers 406 Branch cannot be merged). */
  setMergeable(iid: number, mergeable: boolean): void;
  /** Throttle every request for the next `seconds`: 429 with Retry-After. */
  throttle(seconds: number): void;
  /** Someone acting on GitLab directly, outside Tideline. */
  externalApprove(iid: number, username: string): void;
  /** That user withdraws their approval on GitLab (POST .../unapprove). */
  externalUnapprove(iid: number, username: string): void;
  externalNote(iid: number, username: string, body: string): void;
  externalMerge(iid: number, username: string): void;
  mergeRequest(iid: number): Record<string, unknown> | undefined;
  stop(): Promise<void>;
}

export async function startFakeGitLab(opts: FakeGitLabOptions = {}): Promise<FakeGitLab> {
  const projectPath = opts.projectPath ?? "acme/platform/config";
  const projectId = 42;
  const defaultBranch = opts.defaultBranch ?? "main";
  const branches = new Map<string, string>([[defaultBranch, sha()]]);
  const mrs = new Map<number, MergeRequest>();
  const accounts = new Map<string, number>(); // username -> id
  const tokens = new Map<string, Account>();
  let mergeMethod: GitLabMergeMethod = opts.mergeMethod ?? "merge";
  const preventAuthorApproval = opts.preventAuthorApproval ?? true;
  let throttledUntil = 0;
  let nextIid = 1;
  let nextId = 500;

  const idOf = (username: string) => {
    if (!accounts.has(username)) accounts.set(username, nextId++);
    return accounts.get(username)!;
  };
  const addToken = (token: string, username: string, o: { role?: Role; scope?: "api" | "read_api" } = {}) => {
    tokens.set(token, { id: idOf(username), username, role: o.role ?? "maintainer", scope: o.scope ?? "api" });
  };
  for (const [token, who] of Object.entries(opts.tokens ?? {})) {
    if (typeof who === "string") addToken(token, who);
    else addToken(token, who.username, who);
  }
  const someone = (username: string): Account => ({ id: idOf(username), username, role: "maintainer", scope: "api" });

  let origin = "";
  const webUrl = () => `${origin}/${projectPath}`;
  const userJson = (a: Account) => ({
    id: a.id,
    username: a.username,
    name: a.username,
    state: "active",
    avatar_url: null,
    web_url: `${origin}/${a.username}`,
  });
  const needsRebase = (m: MergeRequest) => mergeMethod === "ff" && branches.get(m.target) !== m.baseSha;
  const detailed = (m: MergeRequest) => (m.state !== "opened" ? "not_open" : m.hasConflicts ? "conflict" : needsRebase(m) ? "need_rebase" : "mergeable");
  const mrJson = (m: MergeRequest) => ({
    id: m.iid + 9000,
    iid: m.iid,
    project_id: projectId,
    title: m.title,
    description: m.description,
    state: m.state,
    created_at: m.createdAt,
    updated_at: m.updatedAt,
    merged_by: m.mergedBy ? userJson(m.mergedBy) : null,
    merge_user: m.mergedBy ? userJson(m.mergedBy) : null,
    merged_at: m.mergedAt,
    closed_at: m.closedAt,
    target_branch: m.target,
    source_branch: m.source,
    author: userJson(m.author),
    assignees: [],
    reviewers: [],
    source_project_id: projectId,
    target_project_id: projectId,
    labels: [],
    draft: false,
    work_in_progress: false,
    merge_when_pipeline_succeeds: false,
    merge_status: detailed(m) === "mergeable" ? "can_be_merged" : "cannot_be_merged",
    detailed_merge_status: detailed(m),
    has_conflicts: m.hasConflicts,
    sha: m.sha,
    merge_commit_sha: m.mergeCommitSha,
    squash_commit_sha: null,
    diff_refs: { base_sha: m.baseSha, head_sha: m.sha, start_sha: m.baseSha },
    references: { short: `!${m.iid}`, relative: `!${m.iid}`, full: `${projectPath}!${m.iid}` },
    web_url: `${webUrl()}/-/merge_requests/${m.iid}`,
    user_notes_count: m.notes.filter((n) => !n.system).length,
  });
  const approvalsJson = (m: MergeRequest, viewer: Account) => ({
    id: m.iid + 9000,
    iid: m.iid,
    project_id: projectId,
    title: m.title,
    description: m.description,
    state: m.state,
    created_at: m.createdAt,
    updated_at: m.updatedAt,
    merge_status: mrJson(m).merge_status,
    approved: m.approvals.length > 0,
    approvals_required: 0,
    approvals_left: 0,
    require_password_to_approve: false,
    approved_by: m.approvals.map((a) => ({ user: userJson(a.user), approved_at: a.at })),
    suggested_approvers: [],
    approvers: [],
    approver_groups: [],
    user_has_approved: m.approvals.some((a) => a.user.id === viewer.id),
    user_can_approve: canApprove(m, viewer),
    approval_rules_left: [],
    has_approval_rules: false,
  });
  const noteJson = (m: MergeRequest, n: Note) => ({
    id: n.id,
    type: null,
    body: n.body,
    author: userJson(n.author),
    created_at: n.createdAt,
    updated_at: n.createdAt,
    system: n.system,
    noteable_id: m.iid + 9000,
    noteable_type: "MergeRequest",
    noteable_iid: m.iid,
    project_id: projectId,
    resolvable: false,
    confidential: false,
    internal: false,
  });
  const canApprove = (m: MergeRequest, a: Account) =>
    m.state === "opened" && !m.approvals.some((x) => x.user.id === a.id) && !(preventAuthorApproval && m.author.id === a.id);
  const touch = (m: MergeRequest) => (m.updatedAt = now());
  const addVersion = (m: MergeRequest) => m.versions.push({ id: nextId++, head: m.sha, base: branches.get(m.target) ?? m.baseSha, createdAt: now() });
  const versionJson = (m: MergeRequest, v: MergeRequest["versions"][number]) => ({
    id: v.id,
    head_commit_sha: v.head,
    base_commit_sha: v.base,
    start_commit_sha: v.base,
    created_at: v.createdAt,
    merge_request_id: m.iid + 9000,
    state: "collected",
    real_size: "1",
    patch_id_sha: v.head,
  });
  const addNote = (m: MergeRequest, author: Account, body: string, system = false) => {
    const n: Note = { id: nextId++, body, author, system, createdAt: now() };
    m.notes.push(n);
    touch(m);
    return n;
  };
  const doMerge = (m: MergeRequest, by: Account) => {
    const merged = mergeMethod === "ff" ? null : sha();
    branches.set(m.target, merged ?? m.sha);
    Object.assign(m, { state: "merged", mergeCommitSha: merged, mergedBy: by, mergedAt: now() });
    touch(m);
  };

  const server = http.createServer((req, res) => {
    req.on("error", () => {});
    res.on("error", () => {});
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        handle(req, Buffer.concat(chunks).toString("utf8"), res);
      } catch (err) {
        send(res, 500, { message: `500 Internal Server Error (fake-gitlab: ${(err as Error).message})` });
      }
    });
  });

  function handle(req: http.IncomingMessage, raw: string, res: http.ServerResponse) {
    const url = new URL(req.url ?? "/", origin);
    const method = req.method ?? "GET";
    // Split before decoding: a project path must arrive URL-encoded as one segment (acme%2Fconfig).
    const segs = url.pathname.split("/").filter(Boolean);
    if (segs[0] !== "api" || segs[1] !== "v4") return send(res, 404, { error: "404 Not Found" });
    const route = segs.slice(2).map((s) => decodeURIComponent(s));

    if (Date.now() < throttledUntil) {
      const retry = Math.max(1, Math.ceil((throttledUntil - Date.now()) / 1000));
      const reset = Math.ceil(throttledUntil / 1000);
      return sendText(res, 429, "Retry later\n", {
        "retry-after": String(retry),
        "ratelimit-name": "throttle_authenticated_api",
        "ratelimit-limit": "2000",
        "ratelimit-observed": "2001",
        "ratelimit-remaining": "0",
        "ratelimit-reset": String(reset),
        "ratelimit-resettime": new Date(reset * 1000).toUTCString(),
      });
    }

    const bearer = /^bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const token = (req.headers["private-token"] as string | undefined) ?? bearer;
    const who = token ? tokens.get(token) : undefined;
    if (who?.expired) {
      return send(
        res,
        401,
        { error: "invalid_token", error_description: "Token has expired." },
        { "www-authenticate": 'Bearer realm="Protected by OAuth 2.0", error="invalid_token", error_description="Token has expired."' },
      );
    }
    if (!who) return send(res, 401, { message: "401 Unauthorized" });

    let body: Record<string, unknown> = Object.fromEntries(url.searchParams);
    if (raw) {
      const type = String(req.headers["content-type"] ?? "");
      try {
        body = { ...body, ...(type.includes("json") ? (JSON.parse(raw) as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(raw))) };
      } catch {
        return send(res, 400, { error: "The provided content-type 'application/json' is not supported." });
      }
    }
    const str = (k: string) => (typeof body[k] === "string" && body[k] !== "" ? String(body[k]) : typeof body[k] === "number" ? String(body[k]) : undefined);
    const missing = (...keys: string[]) => {
      const absent = keys.filter((k) => str(k) === undefined);
      if (absent.length) send(res, 400, { error: absent.map((k) => `${k} is missing`).join(", ") });
      return absent.length > 0;
    };
    const forbidden = () => send(res, 403, { message: "403 Forbidden" });
    const unauthorized = () => send(res, 401, { message: "401 Unauthorized" });
    const notFound = (what = "Not found") => send(res, 404, { message: `404 ${what}` });
    if (method !== "GET" && who.scope !== "api") {
      return send(res, 403, {
        error: "insufficient_scope",
        error_description: "The request requires higher privileges than provided by the access token.",
        scope: "api",
      });
    }

    if (route.length === 1 && route[0] === "user" && method === "GET") return send(res, 200, userJson(who));
    if (route[0] !== "projects" || (route[1] !== projectPath && route[1] !== String(projectId))) return notFound("Project Not Found");
    const rest = route.slice(2);

    if (rest.length === 0 && method === "GET") {
      return send(res, 200, {
        id: projectId,
        name: projectPath.split("/").pop(),
        path_with_namespace: projectPath,
        default_branch: defaultBranch,
        web_url: webUrl(),
        merge_method: mergeMethod,
      });
    }
    if (rest[0] !== "merge_requests") return notFound();

    if (rest.length === 1 && method === "POST") {
      if (missing("source_branch", "target_branch", "title")) return;
      if (who.role === "reporter") return forbidden();
      const source = str("source_branch")!;
      const target = str("target_branch")!;
      if (source === target) return send(res, 409, { message: ["You can't use same project/branch for source and target"] });
      const absent = [
        ["Source", source],
        ["Target", target],
      ].filter(([, b]) => !branches.has(b!));
      if (absent.length) return send(res, 422, { message: absent.map(([kind, b]) => `${kind} branch "${b}" does not exist`) });
      const dup = [...mrs.values()].find((m) => m.state === "opened" && m.source === source);
      if (dup) return send(res, 409, { message: [`Another open merge request already exists for this source branch: !${dup.iid}`] });
      const m: MergeRequest = {
        iid: nextIid++,
        title: str("title")!,
        description: str("description") ?? null,
        source,
        target,
        sha: branches.get(source)!,
        baseSha: branches.get(target)!,
        author: who,
        state: "opened",
        hasConflicts: false,
        mergeCommitSha: null,
        mergedBy: null,
        mergedAt: null,
        closedAt: null,
        createdAt: now(),
        updatedAt: now(),
        approvals: [],
        notes: [],
        versions: [],
      };
      addVersion(m);
      mrs.set(m.iid, m);
      return send(res, 201, mrJson(m));
    }

    const m = rest[1] && /^\d+$/.test(rest[1]) ? mrs.get(Number(rest[1])) : undefined;
    if (!m) return notFound();
    const action = rest[2];

    if (!action && method === "GET") return send(res, 200, mrJson(m));
    if (!action && method === "PUT") {
      if (who.role === "reporter") return forbidden();
      const event = str("state_event");
      if (event && event !== "close" && event !== "reopen") return send(res, 400, { error: "state_event does not have a valid value" });
      if (str("title")) m.title = str("title")!;
      if (body.description !== undefined) m.description = String(body.description);
      if (event === "close" && m.state === "opened") {
        Object.assign(m, { state: "closed", closedAt: now() });
        addNote(m, who, "closed", true);
      }
      if (event === "reopen" && m.state === "closed") {
        Object.assign(m, { state: "opened", closedAt: null });
        addNote(m, who, "reopened", true);
      }
      touch(m);
      return send(res, 200, mrJson(m));
    }

    if (action === "approvals" && method === "GET") return send(res, 200, approvalsJson(m, who));
    if (action === "versions" && method === "GET") {
      const list = [...m.versions].reverse(); // newest first
      const perPage = Math.min(100, Math.max(1, Number(str("per_page")) || 20));
      const page = Math.max(1, Number(str("page")) || 1);
      return send(
        res,
        200,
        list.slice((page - 1) * perPage, page * perPage).map((v) => versionJson(m, v)),
        { "x-total": String(list.length), "x-page": String(page), "x-per-page": String(perPage) },
      );
    }
    if (action === "approve" && method === "POST") {
      if (!canApprove(m, who)) return unauthorized(); // GitLab's answer to "already approved" and "author may not approve"
      if (str("sha") && str("sha") !== m.sha) return send(res, 409, { message: `SHA does not match HEAD of source branch: ${m.sha}` });
      m.approvals.push({ user: who, at: now() });
      addNote(m, who, "approved this merge request", true);
      return send(res, 201, approvalsJson(m, who));
    }
    if (action === "unapprove" && method === "POST") {
      const i = m.approvals.findIndex((a) => a.user.id === who.id);
      if (i === -1) return notFound();
      m.approvals.splice(i, 1);
      addNote(m, who, "unapproved this merge request", true);
      return send(res, 201, approvalsJson(m, who));
    }

    if (action === "notes" && method === "GET") {
      // Notes are never edited here, so created_at and updated_at order alike.
      const list = [...m.notes].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id);
      if (str("sort") !== "asc") list.reverse(); // GitLab lists notes newest first unless asked
      const perPage = Math.min(100, Math.max(1, Number(str("per_page")) || 20));
      const page = Math.max(1, Number(str("page")) || 1);
      const pages = Math.max(1, Math.ceil(list.length / perPage));
      return send(
        res,
        200,
        list.slice((page - 1) * perPage, page * perPage).map((n) => noteJson(m, n)),
        {
          "x-page": String(page),
          "x-per-page": String(perPage),
          "x-total": String(list.length),
          "x-total-pages": String(pages),
          "x-next-page": page < pages ? String(page + 1) : "",
          "x-prev-page": page > 1 ? String(page - 1) : "",
        },
      );
    }
    if (action === "notes" && method === "POST") {
      if (missing("body")) return;
      return send(res, 201, noteJson(m, addNote(m, who, str("body")!)));
    }

    if (action === "merge" && method === "PUT") {
      if (who.role !== "maintainer") return unauthorized(); // GitLab answers 401 when the user may not merge
      if (m.state !== "opened") return send(res, 405, { message: "405 Method Not Allowed" });
      if (m.hasConflicts || needsRebase(m)) return send(res, 406, { message: "Branch cannot be merged" });
      if (str("sha") && str("sha") !== m.sha) return send(res, 409, { message: `SHA does not match HEAD of source branch: ${m.sha}` });
      doMerge(m, who);
      return send(res, 200, mrJson(m));
    }
    return notFound();
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const mustMr = (iid: number) => {
    const m = mrs.get(iid);
    if (!m) throw new Error(`fake-gitlab: no merge request !${iid}`);
    return m;
  };
  return {
    url: origin,
    apiUrl: `${origin}/api/v4`,
    projectPath,
    addToken,
    expireToken(token) {
      const a = tokens.get(token);
      if (a) a.expired = true;
    },
    pushBranch(name, commit) {
      const s = commit ?? sha();
      branches.set(name, s);
      for (const m of mrs.values()) {
        if (m.state !== "opened" || m.source !== name) continue;
        Object.assign(m, { sha: s, updatedAt: now() });
        addVersion(m);
      }
      return s;
    },
    branchSha: (name) => branches.get(name),
    setMergeMethod(method) {
      mergeMethod = method;
    },
    setMergeable(iid, mergeable) {
      mustMr(iid).hasConflicts = !mergeable;
    },
    throttle(seconds) {
      throttledUntil = Date.now() + seconds * 1000;
    },
    externalApprove(iid, username) {
      const m = mustMr(iid);
      m.approvals.push({ user: someone(username), at: now() });
      addNote(m, someone(username), "approved this merge request", true);
    },
    externalUnapprove(iid, username) {
      const m = mustMr(iid);
      const i = m.approvals.findIndex((a) => a.user.username === username);
      if (i === -1) throw new Error(`fake-gitlab: ${username} has not approved !${iid}`);
      m.approvals.splice(i, 1);
      addNote(m, someone(username), "unapproved this merge request", true);
    },
    externalNote(iid, username, body) {
      addNote(mustMr(iid), someone(username), body);
    },
    externalMerge(iid, username) {
      const m = mustMr(iid);
      if (m.state !== "opened") throw new Error(`fake-gitlab: !${iid} is not open`);
      doMerge(m, someone(username));
    },
    mergeRequest: (iid) => (mrs.has(iid) ? mrJson(mrs.get(iid)!) : undefined),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}
function sendText(res: http.ServerResponse, status: number, text: string, headers: Record<string, string>) {
  res.writeHead(status, { "content-type": "text/plain", ...headers });
  res.end(text);
}
function sha(): string {
  return randomBytes(20).toString("hex");
}
function now(): string {
  return new Date().toISOString();
}

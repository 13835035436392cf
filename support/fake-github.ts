// An in-memory GitHub REST API (pull requests, reviews, merges) on 127.0.0.1 for tests: it
// keeps GitHub's documented status codes, field names, error bodies and rate-limit headers.
import { spawnSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

const DOCS = "https://docs.github.com/rest";

export type FakeReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";

interface Account {
  login: string;
  id: number;
  write: boolean; // false: a read-only token (403 on writes, like a fine-grained token without Pull requests: write)
  expired?: boolean;
}

interface Review {
  id: number;
  user: Account;
  state: FakeReviewState;
  body: string;
  commitId: string;
  submittedAt: string | null;
}

interface Pull {
  number: number;
  title: string;
  body: string | null;
  head: string;
  base: string;
  headSha: string;
  baseSha: string;
  user: Account;
  state: "open" | "closed";
  merged: boolean;
  mergedAt: string | null;
  mergedBy: Account | null;
  mergeCommitSha: string | null;
  mergeable: boolean;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  reviews: Review[];
}

export interface FakeGitHubOptions {
  owner?: string;
  repo?: string;
  defaultBranch?: string;
  /** token -> login (write access), or { login, write } */
  tokens?: Record<string, string | { login: string; write?: boolean }>;
  /**
   * A bare repository standing for the repository's Git side: branches pushed there exist here, and
   * open pull requests follow their head branch's commits, as on github.com after a push.
   */
  gitDir?: string;
}

export interface FakeGitHub {
  /** Base URL; the API is served both here and under /api/v3 (GitHub Enterprise layout). */
  url: string;
  owner: string;
  repo: string;
  addToken(token: string, login: string, opts?: { write?: boolean }): void;
  expireToken(token: string): void;
  /** Creates or moves a branch to a new commit (`sha`, or a made-up one); open pull requests from it get the new head sha. */
  pushBranch(name: string, sha?: string): string;
  branchSha(name: string): string | undefined;
  setMergeable(number: number, mergeable: boolean): void;
  allowMergeMethods(methods: { merge?: boolean; squash?: boolean; rebase?: boolean }): void;
  /** Primary rate limit used up: 403 with x-ratelimit-remaining 0 until the reset. */
  exhaustRateLimit(resetInSeconds: number): void;
  /** Secondary rate limit for the next `count` requests: 403 with retry-after. */
  secondaryRateLimit(retryAfterSeconds: number, count?: number): void;
  resetRateLimit(): void;
  /** Someone acting on github.com directly, outside Tideline; answers the review's id. */
  externalReview(number: number, login: string, state: Exclude<FakeReviewState, "PENDING">, body?: string): number;
  /** A maintainer dismisses a review on github.com (its state becomes DISMISSED). */
  externalDismiss(number: number, reviewId: number, message?: string): void;
  externalMerge(number: number, login: string, method?: "merge" | "squash" | "rebase"): string;
  /** Someone closes the pull request on github.com without merging. */
  externalClose(number: number): void;
  pull(number: number): Record<string, unknown> | undefined;
  stop(): Promise<void>;
}

export async function startFakeGitHub(opts: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const owner = opts.owner ?? "acme";
  const repo = opts.repo ?? "config";
  const accounts = new Map<string, Account>(); // by login
  const tokens = new Map<string, Account>();
  const branches = new Map<string, string>([[opts.defaultBranch ?? "main", sha()]]);
  const fromGit = (name: string): string | undefined => {
    if (!opts.gitDir) return undefined;
    const r = spawnSync("git", [`--git-dir=${opts.gitDir}`, "rev-parse", "--verify", "-q", `refs/heads/${name}^{commit}`], { encoding: "utf8" });
    return r.status === 0 ? r.stdout.trim() : undefined;
  };
  const branchAt = (name: string) => fromGit(name) ?? branches.get(name);
  const pulls = new Map<number, Pull>();
  const allowed = { merge: true, squash: true, rebase: true };
  const rate = { limit: 5000, remaining: 5000, reset: epoch() + 3600, secondary: 0, retryAfter: 60 };
  let nextNumber = 1;
  let nextId = 1000;

  const account = (login: string, write = true): Account => {
    let a = accounts.get(login);
    if (!a) accounts.set(login, (a = { login, id: nextId++, write }));
    return a;
  };
  const addToken = (token: string, login: string, o: { write?: boolean } = {}) => {
    tokens.set(token, { ...account(login), write: o.write ?? true });
  };
  for (const [token, who] of Object.entries(opts.tokens ?? {})) {
    if (typeof who === "string") addToken(token, who);
    else addToken(token, who.login, { write: who.write });
  }

  let base = "";
  const userJson = (a: Account) => ({ login: a.login, id: a.id, type: "User", html_url: `${base}/${a.login}`, site_admin: false });
  const branchJson = (ref: string, s: string) => ({
    label: `${owner}:${ref}`,
    ref,
    sha: s,
    user: userJson(account(owner)),
    repo: { name: repo, full_name: `${owner}/${repo}` },
  });
  const pullJson = (p: Pull) => ({
    url: `${base}/repos/${owner}/${repo}/pulls/${p.number}`,
    id: p.number + 100000,
    html_url: `${base}/${owner}/${repo}/pull/${p.number}`,
    number: p.number,
    state: p.state,
    locked: false,
    title: p.title,
    user: userJson(p.user),
    body: p.body,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    closed_at: p.closedAt,
    merged_at: p.mergedAt,
    merge_commit_sha: p.mergeCommitSha,
    head: branchJson(p.head, p.headSha),
    base: branchJson(p.base, p.baseSha),
    draft: false,
    merged: p.merged,
    mergeable: p.state === "open" ? p.mergeable : null,
    mergeable_state: p.state === "open" ? (p.mergeable ? "clean" : "dirty") : "unknown",
    merged_by: p.mergedBy ? userJson(p.mergedBy) : null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
  });
  const reviewJson = (p: Pull, r: Review) => ({
    id: r.id,
    node_id: `PRR_${r.id}`,
    user: userJson(r.user),
    body: r.body,
    state: r.state,
    html_url: `${base}/${owner}/${repo}/pull/${p.number}#pullrequestreview-${r.id}`,
    pull_request_url: `${base}/repos/${owner}/${repo}/pulls/${p.number}`,
    commit_id: r.commitId,
    author_association: r.user.login === owner ? "OWNER" : "COLLABORATOR",
    ...(r.submittedAt ? { submitted_at: r.submittedAt } : {}),
  });

  const addReview = (p: Pull, user: Account, state: FakeReviewState, body: string) => {
    const r: Review = { id: nextId++, user, state, body, commitId: p.headSha, submittedAt: state === "PENDING" ? null : now() };
    p.reviews.push(r);
    p.updatedAt = now();
    return r;
  };
  const doMerge = (p: Pull, by: Account) => {
    const merged = sha();
    branches.set(p.base, merged);
    Object.assign(p, { state: "closed", merged: true, mergedAt: now(), closedAt: now(), updatedAt: now(), mergedBy: by, mergeCommitSha: merged });
    return merged;
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
        send(res, 500, { message: `fake-github: ${(err as Error).message}`, documentation_url: DOCS });
      }
    });
  });

  function handle(req: http.IncomingMessage, raw: string, res: http.ServerResponse) {
    const url = new URL(req.url ?? "/", base);
    const path = url.pathname.replace(/^\/api\/v3(?=\/)/, "").replace(/\/+$/, "");
    const method = req.method ?? "GET";

    const auth = /^(?:token|bearer)\s+(.+)$/i.exec(req.headers.authorization ?? "");
    if (!auth) return send(res, 401, { message: "Requires authentication", documentation_url: DOCS, status: "401" });
    const who = tokens.get(auth[1]!);
    if (!who || who.expired) return send(res, 401, { message: "Bad credentials", documentation_url: DOCS, status: "401" });

    if (epoch() >= rate.reset) Object.assign(rate, { remaining: rate.limit, reset: epoch() + 3600 });
    const rateHeaders = () => ({
      "x-ratelimit-limit": String(rate.limit),
      "x-ratelimit-remaining": String(rate.remaining),
      "x-ratelimit-used": String(rate.limit - rate.remaining),
      "x-ratelimit-reset": String(rate.reset),
      "x-ratelimit-resource": "core",
    });
    if (rate.remaining <= 0) {
      return send(
        res,
        403,
        { message: `API rate limit exceeded for user ID ${who.id}.`, documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api`, status: "403" },
        rateHeaders(),
      );
    }
    rate.remaining -= 1;
    if (rate.secondary > 0) {
      rate.secondary -= 1;
      return send(
        res,
        403,
        {
          message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
          documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits`,
          status: "403",
        },
        { ...rateHeaders(), "retry-after": String(rate.retryAfter) },
      );
    }
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => send(res, status, body, { ...rateHeaders(), ...headers });
    const notFound = () => reply(404, { message: "Not Found", documentation_url: DOCS, status: "404" });
    const invalidRequest = (field: string) =>
      reply(422, { message: `Invalid request.\n\n"${field}" wasn't supplied.`, documentation_url: DOCS, status: "422" });
    const validationFailed = (errors: unknown[], doc = DOCS) => reply(422, { message: "Validation Failed", errors, documentation_url: doc, status: "422" });
    const needWrite = (permission: string) => {
      if (who.write) return false;
      reply(
        403,
        { message: "Resource not accessible by personal access token", documentation_url: DOCS, status: "403" },
        { "x-accepted-github-permissions": permission },
      );
      return true;
    };

    let body: Record<string, unknown> = {};
    if (raw) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return reply(400, { message: "Problems parsing JSON", documentation_url: DOCS, status: "400" });
      }
    }

    if (path === "/user" && method === "GET") return reply(200, userJson(who));
    const m = /^\/repos\/([^/]+)\/([^/]+)\/pulls(?:\/(\d+))?(?:\/(reviews|merge))?(?:\/(\d+)\/(dismissals))?$/.exec(path);
    if (!m || m[1] !== owner || m[2] !== repo) return notFound();
    const number = m[3] ? Number(m[3]) : undefined;
    const sub = m[6] ? "dismissals" : m[4];
    const reviewId = m[5] ? Number(m[5]) : undefined;

    if (number === undefined) {
      if (method !== "POST") return notFound();
      if (needWrite("pull_requests=write")) return;
      for (const f of ["title", "head", "base"]) if (typeof body[f] !== "string" || !body[f]) return invalidRequest(f);
      const head = String(body.head).replace(new RegExp(`^${owner}:`), "");
      const baseRef = String(body.base);
      const doc = `${DOCS}/pulls/pulls#create-a-pull-request`;
      const missing = [
        ["head", head],
        ["base", baseRef],
      ]
        .filter(([, ref]) => !branchAt(ref!))
        .map(([field]) => ({ resource: "PullRequest", field, code: "invalid" }));
      if (missing.length) return validationFailed(missing, doc);
      if (head === baseRef) return validationFailed([{ resource: "PullRequest", code: "custom", message: `No commits between ${baseRef} and ${head}` }], doc);
      if ([...pulls.values()].some((p) => p.state === "open" && p.head === head && p.base === baseRef)) {
        return validationFailed([{ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${owner}:${head}.` }], doc);
      }
      const p: Pull = {
        number: nextNumber++,
        title: String(body.title),
        body: typeof body.body === "string" ? body.body : null,
        head,
        base: baseRef,
        headSha: branchAt(head)!,
        baseSha: branchAt(baseRef)!,
        user: who,
        state: "open",
        merged: false,
        mergedAt: null,
        mergedBy: null,
        mergeCommitSha: null,
        mergeable: true,
        createdAt: now(),
        updatedAt: now(),
        closedAt: null,
        reviews: [],
      };
      pulls.set(p.number, p);
      return reply(201, pullJson(p), { location: pullJson(p).url });
    }

    const p = pulls.get(number);
    if (!p) return notFound();
    const pushed = p.state === "open" ? fromGit(p.head) : undefined;
    if (pushed && pushed !== p.headSha) Object.assign(p, { headSha: pushed, updatedAt: now() });

    if (!sub && method === "GET") return reply(200, pullJson(p));
    if (!sub && method === "PATCH") {
      if (needWrite("pull_requests=write")) return;
      if (body.state !== undefined && body.state !== "open" && body.state !== "closed") {
        return validationFailed([{ resource: "PullRequest", field: "state", code: "invalid" }]);
      }
      if (typeof body.title === "string") p.title = body.title;
      if (typeof body.body === "string") p.body = body.body;
      if (body.state === "closed" && p.state === "open") Object.assign(p, { state: "closed", closedAt: now() });
      if (body.state === "open" && p.state === "closed" && !p.merged) Object.assign(p, { state: "open", closedAt: null });
      p.updatedAt = now();
      return reply(200, pullJson(p));
    }

    if (sub === "reviews" && method === "GET") {
      const visible = p.reviews.filter((r) => r.state !== "PENDING" || r.user.login === who.login);
      const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get("per_page")) || 30));
      const page = Math.max(1, Number(url.searchParams.get("page")) || 1);
      const last = Math.max(1, Math.ceil(visible.length / perPage));
      const link = (n: number, rel: string) => `<${base}${url.pathname}?per_page=${perPage}&page=${n}>; rel="${rel}"`;
      const links: Record<string, string> = page < last ? { link: [link(page + 1, "next"), link(last, "last")].join(", ") } : {};
      return reply(
        200,
        visible.slice((page - 1) * perPage, page * perPage).map((r) => reviewJson(p, r)),
        links,
      );
    }
    if (sub === "reviews" && method === "POST") {
      if (needWrite("pull_requests=write")) return;
      const event = body.event === undefined ? undefined : String(body.event);
      const text = typeof body.body === "string" ? body.body : "";
      const events: Record<string, FakeReviewState> = { APPROVE: "APPROVED", REQUEST_CHANGES: "CHANGES_REQUESTED", COMMENT: "COMMENTED" };
      const state: FakeReviewState | null = event === undefined ? "PENDING" : (events[event] ?? null);
      const unprocessable = (msg: string) =>
        reply(422, {
          message: "Unprocessable Entity",
          errors: [msg],
          documentation_url: `${DOCS}/pulls/reviews#create-a-review-for-a-pull-request`,
          status: "422",
        });
      if (!state) return validationFailed([{ resource: "PullRequestReview", field: "event", code: "invalid" }]);
      if (p.user.login === who.login && state === "APPROVED") return unprocessable("Review Can not approve your own pull request");
      if (p.user.login === who.login && state === "CHANGES_REQUESTED") return unprocessable("Review Can not request changes on your own pull request");
      if ((state === "CHANGES_REQUESTED" || state === "COMMENTED") && !text.trim()) return unprocessable(`Review body is required when the event is ${event}`);
      return reply(200, reviewJson(p, addReview(p, who, state, text)));
    }

    // PUT /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/dismissals: "message" is required;
    // only an approval or a request for changes can be dismissed.
    if (sub === "dismissals" && method === "PUT") {
      if (needWrite("pull_requests=write")) return;
      const r = p.reviews.find((x) => x.id === reviewId);
      if (!r) return notFound();
      if (typeof body.message !== "string" || !body.message) return invalidRequest("message");
      if (r.state !== "APPROVED" && r.state !== "CHANGES_REQUESTED") {
        return validationFailed(
          [`Can not dismiss a ${r.state === "PENDING" ? "pending" : "commented"} pull request review`],
          `${DOCS}/pulls/reviews#dismiss-a-review-for-a-pull-request`,
        );
      }
      r.state = "DISMISSED";
      p.updatedAt = now();
      return reply(200, reviewJson(p, r));
    }
    if (sub === "merge" && method === "GET") return p.merged ? reply(204, null) : notFound();
    if (sub === "merge" && method === "PUT") {
      if (needWrite("contents=write")) return;
      const how = body.merge_method === undefined ? "merge" : String(body.merge_method);
      if (how !== "merge" && how !== "squash" && how !== "rebase")
        return validationFailed([{ resource: "PullRequest", field: "merge_method", code: "invalid" }]);
      if (!allowed[how]) {
        const label = { merge: "Merge commits", squash: "Squash merges", rebase: "Rebase merges" }[how];
        return reply(405, {
          message: `${label} are not allowed on this repository.`,
          documentation_url: `${DOCS}/pulls/pulls#merge-a-pull-request`,
          status: "405",
        });
      }
      if (p.state !== "open" || !p.mergeable)
        return reply(405, { message: "Pull Request is not mergeable", documentation_url: `${DOCS}/pulls/pulls#merge-a-pull-request`, status: "405" });
      if (typeof body.sha === "string" && body.sha !== p.headSha) {
        return reply(409, {
          message: "Head branch was modified. Review and try the merge again.",
          documentation_url: `${DOCS}/pulls/pulls#merge-a-pull-request`,
          status: "409",
        });
      }
      return reply(200, { sha: doMerge(p, who), merged: true, message: "Pull Request successfully merged" });
    }
    return notFound();
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const mustPull = (number: number) => {
    const p = pulls.get(number);
    if (!p) throw new Error(`fake-github: no pull request #${number}`);
    return p;
  };
  return {
    url: base,
    owner,
    repo,
    addToken,
    expireToken(token) {
      const a = tokens.get(token);
      if (a) a.expired = true;
    },
    pushBranch(name, commit) {
      const s = commit ?? sha();
      branches.set(name, s);
      for (const p of pulls.values()) if (p.state === "open" && p.head === name) Object.assign(p, { headSha: s, updatedAt: now() });
      return s;
    },
    branchSha: (name) => branchAt(name),
    setMergeable(number, mergeable) {
      mustPull(number).mergeable = mergeable;
    },
    allowMergeMethods(methods) {
      Object.assign(allowed, methods);
    },
    exhaustRateLimit(resetInSeconds) {
      Object.assign(rate, { remaining: 0, reset: epoch() + resetInSeconds });
    },
    secondaryRateLimit(retryAfterSeconds, count = 1) {
      Object.assign(rate, { secondary: count, retryAfter: retryAfterSeconds });
    },
    resetRateLimit() {
      Object.assign(rate, { remaining: rate.limit, reset: epoch() + 3600, secondary: 0 });
    },
    externalReview(number, login, state, body = "") {
      return addReview(mustPull(number), account(login), state, body).id;
    },
    externalDismiss(number, reviewId, message = "Dismissed") {
      const r = mustPull(number).reviews.find((x) => x.id === reviewId);
      if (!r || (r.state !== "APPROVED" && r.state !== "CHANGES_REQUESTED")) throw new Error(`fake-github: review ${reviewId} cannot be dismissed`);
      r.state = "DISMISSED";
      void message;
    },
    externalMerge(number, login) {
      const p = mustPull(number);
      if (p.state !== "open") throw new Error(`fake-github: #${number} is not open`);
      return doMerge(p, account(login));
    },
    externalClose(number) {
      const p = mustPull(number);
      if (p.state !== "open") throw new Error(`fake-github: #${number} is not open`);
      Object.assign(p, { state: "closed", closedAt: now(), updatedAt: now() });
    },
    pull: (number) => (pulls.has(number) ? pullJson(pulls.get(number)!) : undefined),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = status === 204 || body === null ? "" : JSON.stringify(body);
  res.writeHead(status, {
    ...(text ? { "content-type": "application/json; charset=utf-8" } : {}),
    "x-github-media-type": "github.v3; format=json",
    "x-github-request-id": randomUUID(),
    ...headers,
  });
  res.end(text);
}

function sha(): string {
  return randomBytes(20).toString("hex");
}
function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}
function epoch(): number {
  return Math.floor(Date.now() / 1000);
}

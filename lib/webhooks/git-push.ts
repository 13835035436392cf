// Turns a verified Git provider delivery (GitHub, GitLab, Gitea, generic) into "this branch of
// these repository URLs moved to <sha>", or says why the delivery is a ping or is ignored.
import { z } from "zod";
import { AppError } from "../errors";
import type { WebhookProvider } from "./verify";

export type PushEvent = {
  kind: "push";
  /** Every repository URL the payload names (clone, web, SSH), normalized with {@link normalizeRepoUrl}, deduplicated. */
  repoUrls: string[];
  branch: string;
  /** Commit the branch now points at; "" when a generic sender did not say. */
  after: string;
  /** Number of commits pushed as reported by the sender (0 when unknown). */
  commits: number;
  pusher?: string;
};
export type ParsedGitEvent = PushEvent | { kind: "ping" } | { kind: "ignored"; reason: string };

const ZERO_SHA = /^0+$/;
const DEFAULT_PORT: Record<string, string> = { "http:": "80", "https:": "443", "ssh:": "22", "git:": "9418" };

/**
 * Canonical form of a repository URL for matching deliveries against stored repositories:
 * credentials, query, fragment, default port, trailing slashes and ".git" removed, scheme and host
 * lowercased (the path keeps its case). scp-like `git@host:team/repo.git` becomes `ssh://host/team/repo`.
 */
export function normalizeRepoUrl(raw: string): string {
  let text = raw.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(.+)$/.exec(text);
    if (scp) text = `ssh://${scp[1]}/${scp[2]!.replace(/^\/+/, "")}`;
  }
  try {
    const url = new URL(text);
    const protocol = url.protocol.toLowerCase();
    const port = url.port && url.port !== DEFAULT_PORT[protocol] ? `:${url.port}` : "";
    text = `${protocol}//${url.hostname.toLowerCase()}${port}${url.pathname}`;
  } catch {
    // Not a URL we can parse: still strip the suffixes below so equal inputs compare equal.
  }
  return text
    .replace(/\/+$/, "")
    .replace(/\.git$/i, "")
    .replace(/\/+$/, "");
}

/** "events[0].target.repository: Required; tag: expected a string" from zod issues. */
export function formatPayloadIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): string {
  return issues
    .map((issue) => {
      const path = [...prefix, ...issue.path].map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`)).join("");
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join("; ");
}

/** String schema whose "missing" message is plain "Required" (zod 4 defaults to a longer type message). */
export const requiredString = () =>
  z
    .string({ error: (issue) => (issue.input === undefined ? "Required" : "expected a string") })
    .trim()
    .min(1, "must not be empty");
const optionalString = () => z.string({ error: "expected a string" }).optional().nullable();

function parseWith<S extends z.ZodType>(schema: S, json: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new AppError("invalid", `Invalid ${what}: ${formatPayloadIssues(parsed.error.issues)}`);
  return parsed.data;
}

const object = <T extends z.ZodRawShape>(shape: T) => z.object(shape, { error: (i) => (i.input === undefined ? "Required" : "expected an object") });

const githubPush = object({
  ref: requiredString(),
  after: requiredString(),
  deleted: z.boolean().optional(),
  commits: z.array(z.unknown()).optional(),
  repository: object({
    clone_url: optionalString(),
    html_url: optionalString(),
    ssh_url: optionalString(),
    git_url: optionalString(),
    url: optionalString(),
  }),
  pusher: z.object({ name: optionalString() }).optional().nullable(),
});

const gitlabPush = object({
  ref: requiredString(),
  after: requiredString(),
  total_commits_count: z.number().int().nonnegative().optional(),
  commits: z.array(z.unknown()).optional(),
  user_username: optionalString(),
  user_name: optionalString(),
  project: object({
    git_http_url: optionalString(),
    git_ssh_url: optionalString(),
    web_url: optionalString(),
    http_url: optionalString(),
    ssh_url: optionalString(),
  }),
  repository: z
    .object({ git_http_url: optionalString(), git_ssh_url: optionalString(), homepage: optionalString(), url: optionalString() })
    .optional()
    .nullable(),
});

const giteaPush = object({
  ref: requiredString(),
  after: requiredString(),
  total_commits: z.number().int().nonnegative().optional(),
  commits: z.array(z.unknown()).optional().nullable(),
  repository: object({ clone_url: optionalString(), html_url: optionalString(), ssh_url: optionalString() }),
  pusher: z.object({ username: optionalString(), login: optionalString() }).optional().nullable(),
});

const genericPush = object({
  repository: requiredString(),
  branch: requiredString(),
  after: z
    .string({ error: "expected a string" })
    .regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/i, "must be a full commit SHA")
    .optional(),
  commits: z.number().int().nonnegative().optional(),
  pusher: optionalString(),
});

/** repoUrls: normalized, deduplicated; API URLs (api.github.com, /api/v3/) are not clone URLs and are skipped. */
function repoUrls(candidates: (string | null | undefined)[], what: string): string[] {
  const urls = new Set<string>();
  for (const candidate of candidates) {
    if (!candidate?.trim()) continue;
    if (/^https?:\/\/api\./i.test(candidate) || /\/api\/v\d+\//i.test(candidate)) continue;
    urls.add(normalizeRepoUrl(candidate));
  }
  if (urls.size === 0) throw new AppError("invalid", `Invalid ${what}: the payload names no repository URL`);
  return [...urls];
}

/** The branch a ref names, or why the push is ignored. */
function branchOf(ref: string, after: string): { branch: string } | { ignored: string } {
  if (ref.startsWith("refs/tags/")) return { ignored: `tag push (${ref}); Tideline follows branches, not tags` };
  const branch = ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : ref.startsWith("refs/") ? null : ref;
  if (!branch) return { ignored: `push to ${ref}, which is not a branch` };
  if (ZERO_SHA.test(after)) return { ignored: `branch ${branch} was deleted` };
  return { branch };
}

function push(ref: string, after: string, urls: string[], commits: number, pusher?: string | null): ParsedGitEvent {
  const target = branchOf(ref, after);
  if ("ignored" in target) return { kind: "ignored", reason: target.ignored };
  return { kind: "push", repoUrls: urls, branch: target.branch, after, commits, ...(pusher ? { pusher } : {}) };
}

/**
 * Interprets a delivery whose authenticity was already checked. `event` is the provider's event
 * header (X-GitHub-Event, X-Gitlab-Event, X-Gitea-Event, or the generic event). Throws
 * AppError("invalid") naming the field when a push payload lacks what Tideline needs.
 */
export function parsePushEvent(provider: WebhookProvider, event: string, json: unknown): ParsedGitEvent {
  const name = event.trim();
  switch (provider) {
    case "github": {
      if (name === "ping") return { kind: "ping" };
      if (name !== "push") return { kind: "ignored", reason: `GitHub "${name}" events are ignored; only push triggers a refresh` };
      const p = parseWith(githubPush, json, "GitHub push payload");
      const r = p.repository;
      const urls = repoUrls([r.clone_url, r.html_url, r.ssh_url, r.git_url, r.url], "GitHub push payload");
      if (p.deleted && !p.ref.startsWith("refs/tags/")) return { kind: "ignored", reason: `branch ${p.ref.replace(/^refs\/heads\//, "")} was deleted` };
      return push(p.ref, p.after, urls, p.commits?.length ?? 0, p.pusher?.name);
    }
    case "gitlab": {
      const kind = json && typeof json === "object" ? (json as { object_kind?: unknown }).object_kind : undefined;
      if (name === "Tag Push Hook" || (name === "System Hook" && kind === "tag_push")) {
        return { kind: "ignored", reason: "tag push; Tideline follows branches, not tags" };
      }
      if (name !== "Push Hook" && !(name === "System Hook" && kind === "push")) {
        return { kind: "ignored", reason: `GitLab "${name}" events are ignored; only Push Hook triggers a refresh` };
      }
      const p = parseWith(gitlabPush, json, "GitLab push payload");
      const urls = repoUrls(
        [
          p.project.git_http_url,
          p.project.web_url,
          p.project.http_url,
          p.project.git_ssh_url,
          p.project.ssh_url,
          p.repository?.git_http_url,
          p.repository?.homepage,
          p.repository?.git_ssh_url,
        ],
        "GitLab push payload",
      );
      return push(p.ref, p.after, urls, p.total_commits_count ?? p.commits?.length ?? 0, p.user_username ?? p.user_name);
    }
    case "gitea": {
      if (name === "ping") return { kind: "ping" };
      if (name !== "push") return { kind: "ignored", reason: `Gitea "${name}" events are ignored; only push triggers a refresh` };
      const p = parseWith(giteaPush, json, "Gitea push payload");
      const r = p.repository;
      const urls = repoUrls([r.clone_url, r.html_url, r.ssh_url], "Gitea push payload");
      return push(p.ref, p.after, urls, p.total_commits ?? p.commits?.length ?? 0, p.pusher?.username ?? p.pusher?.login);
    }
    case "generic": {
      if (name === "ping") return { kind: "ping" };
      if (name !== "push") return { kind: "ignored", reason: `"${name}" events are ignored; send X-Tideline-Event: push (or omit it)` };
      const p = parseWith(genericPush, json, "push payload");
      const urls = repoUrls([p.repository], "push payload");
      const ref = p.branch.startsWith("refs/") ? p.branch : `refs/heads/${p.branch}`;
      return push(ref, p.after?.toLowerCase() ?? "", urls, p.commits ?? 0, p.pusher);
    }
  }
}

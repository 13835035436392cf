// Faithful push deliveries as GitHub, GitLab, Gitea and a generic HMAC sender make them (payload
// shape, headers, signature), for a repository URL and commit, signed with a given secret.
import { createHmac, randomUUID } from "node:crypto";
import { signGeneric, type WebhookProvider } from "../../lib/webhooks/verify";

export interface Delivery {
  headers: Record<string, string>;
  body: string;
  deliveryId: string;
}
export interface PushSpec {
  url: string;
  after: string;
  before?: string;
  ref?: string;
  message?: string;
}

const ZERO = "0".repeat(40);
const hmac = (secret: string, body: string) => createHmac("sha256", secret).update(body).digest("hex");
const web = (url: string) => url.replace(/\.git$/, "");
const pathOf = (url: string) => new URL(url).pathname.replace(/^\//, "").replace(/\.git$/, "");

export function githubPayload(p: PushSpec) {
  const ref = p.ref ?? "refs/heads/main";
  const full = pathOf(p.url);
  const [owner, name] = [full.split("/").slice(0, -1).join("/") || "acme", full.split("/").pop()!];
  return {
    ref,
    before: p.before ?? ZERO,
    after: p.after,
    repository: {
      id: 186853002,
      node_id: "MDEwOlJlcG9zaXRvcnkxODY4NTMwMDI=",
      name,
      full_name: full,
      private: true,
      owner: { name: owner, login: owner, id: 21031067, type: "Organization" },
      html_url: web(p.url),
      url: web(p.url),
      git_url: p.url.replace(/^https?:/, "git:"),
      ssh_url: `git@${new URL(p.url).hostname}:${full}.git`,
      clone_url: p.url,
      default_branch: "main",
      master_branch: "main",
      pushed_at: Math.floor(Date.now() / 1000),
    },
    pusher: { name: "octocat", email: "octocat@github.com" },
    sender: { login: "octocat", id: 21031067, type: "User" },
    created: false,
    deleted: false,
    forced: false,
    base_ref: null,
    compare: `${web(p.url)}/compare/${(p.before ?? ZERO).slice(0, 12)}...${p.after.slice(0, 12)}`,
    commits: [
      {
        id: p.after,
        distinct: true,
        message: p.message ?? "update",
        timestamp: new Date().toISOString(),
        url: `${web(p.url)}/commit/${p.after}`,
        author: { name: "Octo Cat", email: "octocat@github.com", username: "octocat" },
        committer: { name: "GitHub", email: "noreply@github.com", username: "web-flow" },
        added: [],
        removed: [],
        modified: ["README.md"],
      },
    ],
    head_commit: { id: p.after, message: p.message ?? "update" },
  };
}

export function gitlabPayload(p: PushSpec) {
  const full = pathOf(p.url);
  return {
    object_kind: "push",
    event_name: "push",
    before: p.before ?? ZERO,
    after: p.after,
    ref: p.ref ?? "refs/heads/main",
    ref_protected: true,
    checkout_sha: p.after,
    user_id: 4,
    user_name: "John Smith",
    user_username: "jsmith",
    user_email: "",
    project_id: 15,
    project: {
      id: 15,
      name: full.split("/").pop(),
      web_url: web(p.url),
      git_ssh_url: `git@${new URL(p.url).hostname}:${full}.git`,
      git_http_url: p.url,
      namespace: "Platform",
      path_with_namespace: full,
      default_branch: "main",
      homepage: web(p.url),
      url: `git@${new URL(p.url).hostname}:${full}.git`,
      ssh_url: `git@${new URL(p.url).hostname}:${full}.git`,
      http_url: p.url,
    },
    commits: [
      {
        id: p.after,
        message: `${p.message ?? "update"}\n`,
        title: p.message ?? "update",
        timestamp: new Date().toISOString(),
        url: `${web(p.url)}/-/commit/${p.after}`,
        author: { name: "John Smith", email: "[REDACTED]" },
        added: [],
        modified: ["README.md"],
        removed: [],
      },
    ],
    total_commits_count: 1,
    push_options: {},
    repository: {
      name: full.split("/").pop(),
      url: `git@${new URL(p.url).hostname}:${full}.git`,
      description: "",
      homepage: web(p.url),
      git_http_url: p.url,
      git_ssh_url: `git@${new URL(p.url).hostname}:${full}.git`,
      visibility_level: 0,
    },
  };
}

export function giteaPayload(p: PushSpec) {
  const full = pathOf(p.url);
  return {
    ref: p.ref ?? "refs/heads/main",
    before: p.before ?? ZERO,
    after: p.after,
    compare_url: `${web(p.url)}/compare/${p.before ?? ZERO}...${p.after}`,
    commits: [
      {
        id: p.after,
        message: `${p.message ?? "update"}\n`,
        url: `${web(p.url)}/commit/${p.after}`,
        author: { name: "Ops Bot", email: "ops@example.com", username: "ops-bot" },
        committer: { name: "Ops Bot", email: "ops@example.com", username: "ops-bot" },
        verification: null,
        timestamp: new Date().toISOString(),
        added: [],
        removed: [],
        modified: ["README.md"],
      },
    ],
    total_commits: 1,
    head_commit: { id: p.after, message: `${p.message ?? "update"}\n` },
    repository: {
      id: 7,
      owner: { id: 3, login: "ops", username: "ops" },
      name: full.split("/").pop(),
      full_name: full,
      private: true,
      fork: false,
      html_url: web(p.url),
      ssh_url: `ssh://git@${new URL(p.url).hostname}:2222/${full}.git`,
      clone_url: p.url,
      default_branch: "main",
    },
    pusher: { id: 5, login: "ops-bot", username: "ops-bot", full_name: "Ops Bot", email: "ops@example.com" },
    sender: { id: 5, login: "ops-bot", username: "ops-bot" },
  };
}

export function genericPayload(p: PushSpec) {
  return { repository: p.url, branch: (p.ref ?? "refs/heads/main").replace(/^refs\/heads\//, ""), after: p.after, commits: 1, pusher: "ci-bot" };
}

/** A signed push delivery; `event` overrides the event header (e.g. "ping", "Tag Push Hook"). */
export function signedDelivery(
  provider: WebhookProvider,
  secret: string,
  payload: unknown,
  opts: { event?: string; deliveryId?: string; timestamp?: number } = {},
): Delivery {
  const body = JSON.stringify(payload);
  const deliveryId = opts.deliveryId ?? randomUUID();
  const json = { "content-type": "application/json" };
  switch (provider) {
    case "github":
      return {
        body,
        deliveryId,
        headers: {
          ...json,
          "user-agent": "GitHub-Hookshot/7e3e1a4",
          "x-github-event": opts.event ?? "push",
          "x-github-delivery": deliveryId,
          "x-github-hook-id": "109948940",
          "x-hub-signature": `sha1=${createHmac("sha1", secret).update(body).digest("hex")}`,
          "x-hub-signature-256": `sha256=${hmac(secret, body)}`,
        },
      };
    case "gitlab":
      return {
        body,
        deliveryId,
        headers: {
          ...json,
          "user-agent": "GitLab/17.9.0",
          "x-gitlab-event": opts.event ?? "Push Hook",
          "x-gitlab-token": secret,
          "x-gitlab-event-uuid": deliveryId,
          "x-gitlab-instance": "https://gitlab.example.com",
          "x-gitlab-webhook-uuid": "2c3a6f8e-6a6d-4b0b-9d0c-64b1f1c0d0aa",
        },
      };
    case "gitea": {
      const sig = hmac(secret, body);
      const event = opts.event ?? "push";
      return {
        body,
        deliveryId,
        headers: {
          ...json,
          "user-agent": "Go-http-client/1.1",
          "x-gitea-event": event,
          "x-gitea-event-type": event,
          "x-gitea-delivery": deliveryId,
          "x-gitea-signature": sig,
          "x-github-event": event,
          "x-github-delivery": deliveryId,
          "x-hub-signature-256": `sha256=${sig}`,
          "x-gogs-event": event,
          "x-gogs-delivery": deliveryId,
          "x-gogs-signature": sig,
        },
      };
    }
    case "generic": {
      const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
      return {
        body,
        deliveryId,
        headers: {
          ...json,
          "x-tideline-timestamp": String(ts),
          "x-tideline-signature": signGeneric(secret, body, ts),
          "x-tideline-delivery": deliveryId,
          ...(opts.event ? { "x-tideline-event": opts.event } : {}),
        },
      };
    }
  }
}

export const PAYLOADS: Record<WebhookProvider, (p: PushSpec) => unknown> = {
  github: githubPayload,
  gitlab: gitlabPayload,
  gitea: giteaPayload,
  generic: genericPayload,
};

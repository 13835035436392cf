// Payload parsing: trimmed but faithful GitHub/GitLab/Gitea push deliveries, a GitHub ping,
// the generic format, repository URL normalization, and CI / registry image-push notifications.
import { describe, expect, it } from "vitest";
import { AppError } from "../../lib/errors";
import { normalizeRepoUrl, parsePushEvent } from "../../lib/webhooks/git-push";
import { parseImagePush, REGISTRY_EVENTS_CONTENT_TYPE } from "../../lib/webhooks/image-push";

const AFTER = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";
const BEFORE = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
const ZERO = "0000000000000000000000000000000000000000";
const DIGEST = "sha256:fc2f9cbd5bd1a6a7df1c1b6e1f1b9f1f5d1a6b1e0c5ad5f1e2d3c4b5a6978877";

function githubPush(over: Record<string, unknown> = {}) {
  return {
    ref: "refs/heads/main",
    before: BEFORE,
    after: AFTER,
    repository: {
      id: 186853002,
      node_id: "MDEwOlJlcG9zaXRvcnkxODY4NTMwMDI=",
      name: "platform-config",
      full_name: "Acme-Corp/platform-config",
      private: true,
      owner: { name: "Acme-Corp", login: "Acme-Corp", id: 21031067, type: "Organization" },
      html_url: "https://github.com/Acme-Corp/platform-config",
      url: "https://github.com/Acme-Corp/platform-config",
      git_url: "git://github.com/Acme-Corp/platform-config.git",
      ssh_url: "git@github.com:Acme-Corp/platform-config.git",
      clone_url: "https://github.com/Acme-Corp/platform-config.git",
      svn_url: "https://github.com/Acme-Corp/platform-config",
      default_branch: "main",
      master_branch: "main",
      pushed_at: 1557933657,
    },
    pusher: { name: "octocat", email: "octocat@github.com" },
    sender: { login: "octocat", id: 21031067, type: "User" },
    created: false,
    deleted: false,
    forced: false,
    base_ref: null,
    compare: `https://github.com/Acme-Corp/platform-config/compare/${BEFORE.slice(0, 12)}...${AFTER.slice(0, 12)}`,
    commits: [
      {
        id: "3f5a1d2c8a17e3f0b6d9e0c1a2b3c4d5e6f70812",
        tree_id: "f9d2a07e0c6e1e3c1f0b9b5c8f7e6d5c4b3a2918",
        distinct: true,
        message: "Bump guestbook to 1.4.2",
        timestamp: "2025-02-28T11:59:12+01:00",
        url: "https://github.com/Acme-Corp/platform-config/commit/3f5a1d2c8a17e3f0b6d9e0c1a2b3c4d5e6f70812",
        author: { name: "Octo Cat", email: "octocat@github.com", username: "octocat" },
        committer: { name: "GitHub", email: "noreply@github.com", username: "web-flow" },
        added: [],
        removed: [],
        modified: ["apps/guestbook/values.yaml"],
      },
      {
        id: AFTER,
        tree_id: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
        distinct: true,
        message: "Raise replicas",
        timestamp: "2025-02-28T12:00:40+01:00",
        url: `https://github.com/Acme-Corp/platform-config/commit/${AFTER}`,
        author: { name: "Octo Cat", email: "octocat@github.com", username: "octocat" },
        committer: { name: "GitHub", email: "noreply@github.com", username: "web-flow" },
        added: [],
        removed: [],
        modified: ["apps/guestbook/deployment.yaml"],
      },
    ],
    head_commit: { id: AFTER, message: "Raise replicas" },
    ...over,
  };
}

const githubPing = {
  zen: "Design for failure.",
  hook_id: 109948940,
  hook: {
    type: "Repository",
    id: 109948940,
    name: "web",
    active: true,
    events: ["push"],
    config: { content_type: "json", insecure_ssl: "0", url: "https://tideline.example.com/api/webhooks/git/42" },
    updated_at: "2025-02-28T10:55:40Z",
    created_at: "2025-02-28T10:55:40Z",
  },
  repository: { id: 186853002, full_name: "Acme-Corp/platform-config", html_url: "https://github.com/Acme-Corp/platform-config" },
  sender: { login: "octocat", id: 21031067 },
};

function gitlabPush(over: Record<string, unknown> = {}) {
  return {
    object_kind: "push",
    event_name: "push",
    before: BEFORE,
    after: AFTER,
    ref: "refs/heads/release/2025-03",
    ref_protected: true,
    checkout_sha: AFTER,
    user_id: 4,
    user_name: "John Smith",
    user_username: "jsmith",
    user_email: "",
    user_avatar: "https://s.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?s=8://s.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?s=80",
    project_id: 15,
    project: {
      id: 15,
      name: "Deploy Config",
      description: "",
      web_url: "https://GitLab.Example.com/platform/deploy-config",
      avatar_url: null,
      git_ssh_url: "git@gitlab.example.com:platform/deploy-config.git",
      git_http_url: "https://gitlab.example.com/platform/deploy-config.git",
      namespace: "Platform",
      visibility_level: 0,
      path_with_namespace: "platform/deploy-config",
      default_branch: "main",
      homepage: "https://gitlab.example.com/platform/deploy-config",
      url: "git@gitlab.example.com:platform/deploy-config.git",
      ssh_url: "git@gitlab.example.com:platform/deploy-config.git",
      http_url: "https://gitlab.example.com/platform/deploy-config.git",
    },
    commits: [
      {
        id: AFTER,
        message: "Update overlays for prod\n",
        title: "Update overlays for prod",
        timestamp: "2025-03-01T11:58:03+00:00",
        url: `https://gitlab.example.com/platform/deploy-config/-/commit/${AFTER}`,
        author: { name: "John Smith", email: "[REDACTED]" },
        added: [],
        modified: ["overlays/prod/kustomization.yaml"],
        removed: [],
      },
    ],
    total_commits_count: 4,
    push_options: {},
    repository: {
      name: "Deploy Config",
      url: "git@gitlab.example.com:platform/deploy-config.git",
      description: "",
      homepage: "https://gitlab.example.com/platform/deploy-config",
      git_http_url: "https://gitlab.example.com/platform/deploy-config.git",
      git_ssh_url: "git@gitlab.example.com:platform/deploy-config.git",
      visibility_level: 0,
    },
    ...over,
  };
}

function giteaPush(over: Record<string, unknown> = {}) {
  return {
    ref: "refs/heads/main",
    before: BEFORE,
    after: AFTER,
    compare_url: `https://git.example.com:3000/ops/cluster-config/compare/${BEFORE}...${AFTER}`,
    commits: [
      {
        id: AFTER,
        message: "ci: pin chart version\n",
        url: `https://git.example.com:3000/ops/cluster-config/commit/${AFTER}`,
        author: { name: "Ops Bot", email: "ops@example.com", username: "ops-bot" },
        committer: { name: "Ops Bot", email: "ops@example.com", username: "ops-bot" },
        verification: null,
        timestamp: "2025-03-01T12:00:00Z",
        added: [],
        removed: [],
        modified: ["charts/app/Chart.yaml"],
      },
    ],
    total_commits: 1,
    head_commit: { id: AFTER, message: "ci: pin chart version\n" },
    repository: {
      id: 7,
      owner: { id: 3, login: "ops", username: "ops" },
      name: "cluster-config",
      full_name: "ops/cluster-config",
      private: true,
      fork: false,
      html_url: "https://git.example.com:3000/ops/cluster-config",
      ssh_url: "ssh://git@git.example.com:2222/ops/cluster-config.git",
      clone_url: "https://git.example.com:3000/ops/cluster-config.git",
      default_branch: "main",
    },
    pusher: { id: 5, login: "ops-bot", username: "ops-bot", full_name: "Ops Bot", email: "ops@example.com" },
    sender: { id: 5, login: "ops-bot", username: "ops-bot" },
    ...over,
  };
}

function caught(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error("expected an AppError");
}

describe("normalizeRepoUrl", () => {
  it.each([
    ["https://GitHub.com/Acme-Corp/platform-config.git", "https://github.com/Acme-Corp/platform-config"],
    ["https://github.com/Acme-Corp/platform-config/", "https://github.com/Acme-Corp/platform-config"],
    ["https://github.com/Acme-Corp/platform-config.git/", "https://github.com/Acme-Corp/platform-config"],
    ["  https://user:ghp_token@github.com/a/b.git  ", "https://github.com/a/b"],
    ["https://git.example.com:443/a/b?x=1#frag", "https://git.example.com/a/b"],
    ["http://git.example.com:3000/a/b.git", "http://git.example.com:3000/a/b"],
    ["git@GitHub.com:Acme-Corp/platform-config.git", "ssh://github.com/Acme-Corp/platform-config"],
    ["ssh://git@git.example.com:22/a/b.git", "ssh://git.example.com/a/b"],
    ["ssh://git@git.example.com:2222/a/b.git", "ssh://git.example.com:2222/a/b"],
  ])("%s -> %s", (input, expected) => {
    expect(normalizeRepoUrl(input)).toBe(expected);
  });
});

describe("parsePushEvent: GitHub", () => {
  it("reads a branch push with every URL the repository names", () => {
    expect(parsePushEvent("github", "push", githubPush())).toEqual({
      kind: "push",
      repoUrls: ["https://github.com/Acme-Corp/platform-config", "ssh://github.com/Acme-Corp/platform-config", "git://github.com/Acme-Corp/platform-config"],
      branch: "main",
      after: AFTER,
      commits: 2,
      pusher: "octocat",
    });
  });

  it("answers ping and ignores other events", () => {
    expect(parsePushEvent("github", "ping", githubPing)).toEqual({ kind: "ping" });
    const r = parsePushEvent("github", "pull_request", { action: "opened" });
    expect(r).toMatchObject({ kind: "ignored" });
    expect(r.kind === "ignored" && r.reason).toMatch(/"pull_request" events are ignored/);
  });

  it("ignores branch deletions and tag pushes with a reason", () => {
    expect(parsePushEvent("github", "push", githubPush({ after: ZERO, deleted: true, commits: [], head_commit: null }))).toEqual({
      kind: "ignored",
      reason: "branch main was deleted",
    });
    const tag = parsePushEvent("github", "push", githubPush({ ref: "refs/tags/v1.4.2", base_ref: "refs/heads/main", created: true }));
    expect(tag).toEqual({ kind: "ignored", reason: "tag push (refs/tags/v1.4.2); Tideline follows branches, not tags" });
  });

  it("treats a new branch (before = 0…0) as a push", () => {
    expect(parsePushEvent("github", "push", githubPush({ before: ZERO, created: true, ref: "refs/heads/feature/x" }))).toMatchObject({
      kind: "push",
      branch: "feature/x",
    });
  });

  it("names the missing field of a malformed push", () => {
    const { repository: _drop, ...noRepo } = githubPush();
    expect(caught(() => parsePushEvent("github", "push", noRepo)).message).toBe("Invalid GitHub push payload: repository: Required");
    expect(caught(() => parsePushEvent("github", "push", githubPush({ ref: 7 }))).message).toBe("Invalid GitHub push payload: ref: expected a string");
    expect(caught(() => parsePushEvent("github", "push", githubPush({ repository: { name: "x" } }))).message).toMatch(/names no repository URL/);
  });
});

describe("parsePushEvent: GitLab", () => {
  it("reads a Push Hook", () => {
    expect(parsePushEvent("gitlab", "Push Hook", gitlabPush())).toEqual({
      kind: "push",
      repoUrls: ["https://gitlab.example.com/platform/deploy-config", "ssh://gitlab.example.com/platform/deploy-config"],
      branch: "release/2025-03",
      after: AFTER,
      commits: 4,
      pusher: "jsmith",
    });
  });

  it("ignores Tag Push Hook, branch deletion and other hooks", () => {
    expect(parsePushEvent("gitlab", "Tag Push Hook", gitlabPush({ object_kind: "tag_push", ref: "refs/tags/v2" }))).toMatchObject({ kind: "ignored" });
    expect(parsePushEvent("gitlab", "Push Hook", gitlabPush({ after: ZERO, checkout_sha: null, commits: [], total_commits_count: 0 }))).toEqual({
      kind: "ignored",
      reason: "branch release/2025-03 was deleted",
    });
    expect(parsePushEvent("gitlab", "Merge Request Hook", { object_kind: "merge_request" })).toMatchObject({ kind: "ignored" });
  });

  it("accepts a push delivered as a System Hook", () => {
    expect(parsePushEvent("gitlab", "System Hook", gitlabPush())).toMatchObject({ kind: "push", branch: "release/2025-03" });
  });

  it("names the missing field", () => {
    const { project: _drop, ...noProject } = gitlabPush();
    expect(caught(() => parsePushEvent("gitlab", "Push Hook", noProject)).message).toBe("Invalid GitLab push payload: project: Required");
  });
});

describe("parsePushEvent: Gitea", () => {
  it("reads a push, keeping non-default ports", () => {
    expect(parsePushEvent("gitea", "push", giteaPush())).toEqual({
      kind: "push",
      repoUrls: ["https://git.example.com:3000/ops/cluster-config", "ssh://git.example.com:2222/ops/cluster-config"],
      branch: "main",
      after: AFTER,
      commits: 1,
      pusher: "ops-bot",
    });
  });

  it("ignores tag pushes, deletions and create events", () => {
    expect(parsePushEvent("gitea", "push", giteaPush({ ref: "refs/tags/v3", commits: [] }))).toMatchObject({ kind: "ignored" });
    expect(parsePushEvent("gitea", "push", giteaPush({ after: ZERO, commits: [] }))).toEqual({ kind: "ignored", reason: "branch main was deleted" });
    expect(parsePushEvent("gitea", "create", { ref: "v3", ref_type: "tag" })).toMatchObject({ kind: "ignored" });
  });
});

describe("parsePushEvent: generic", () => {
  it("reads { repository, branch, after }", () => {
    expect(parsePushEvent("generic", "push", { repository: "https://git.example.com/team/config.git", branch: "main", after: AFTER.toUpperCase() })).toEqual({
      kind: "push",
      repoUrls: ["https://git.example.com/team/config"],
      branch: "main",
      after: AFTER,
      commits: 0,
    });
    expect(parsePushEvent("generic", "push", { repository: "https://git.example.com/team/config", branch: "refs/heads/dev" })).toMatchObject({
      branch: "dev",
      after: "",
    });
  });

  it("ignores tags and deletions, validates fields", () => {
    expect(parsePushEvent("generic", "push", { repository: "https://git.example.com/a/b", branch: "refs/tags/v1" })).toMatchObject({ kind: "ignored" });
    expect(parsePushEvent("generic", "push", { repository: "https://git.example.com/a/b", branch: "main", after: ZERO })).toEqual({
      kind: "ignored",
      reason: "branch main was deleted",
    });
    expect(caught(() => parsePushEvent("generic", "push", { repository: "https://git.example.com/a/b" })).message).toBe(
      "Invalid push payload: branch: Required",
    );
    expect(caught(() => parsePushEvent("generic", "push", { repository: "https://x/a", branch: "main", after: "abc" })).message).toBe(
      "Invalid push payload: after: must be a full commit SHA",
    );
    expect(caught(() => parsePushEvent("generic", "push", "not an object")).message).toBe("Invalid push payload: expected an object");
  });
});

// A registry (distribution/distribution) notification: a manifest push, the blob pushes of its
// layers that precede it, a digest-only child manifest, and a pull.
const registryEnvelope = {
  events: [
    {
      id: "320678d8-ca14-430f-8bb6-4ca139cd83f7",
      timestamp: "2025-03-01T12:00:00.000000000Z",
      action: "push",
      target: {
        mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip",
        size: 2757034,
        digest: "sha256:1f5e9b1c2d3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
        length: 2757034,
        repository: "team/app",
        url: "https://registry.example.com/v2/team/app/blobs/sha256:1f5e9b1c2d3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
      },
      request: { id: "b3e7c1a0", addr: "10.0.4.17:51234", host: "registry.example.com", method: "PUT", useragent: "docker/27.5.1 go/go1.22.10" },
      actor: { name: "ci-bot" },
      source: { addr: "registry-0:5000", instanceID: "c5b5f2f8-0d1e-4b1a-9b0a-0e6f2b0d1c2a" },
    },
    {
      id: "6b2ec1e5-d1c3-4a0b-9a7e-c3f2a1b0e9d8",
      timestamp: "2025-03-01T12:00:01.000000000Z",
      action: "push",
      target: {
        mediaType: "application/vnd.docker.distribution.manifest.v2+json",
        size: 1357,
        digest: DIGEST,
        length: 1357,
        repository: "team/app",
        url: `https://registry.example.com/v2/team/app/manifests/${DIGEST}`,
        tag: "1.4.2",
      },
      request: { id: "c4f8d2b1", addr: "10.0.4.17:51240", host: "registry.example.com", method: "PUT", useragent: "docker/27.5.1 go/go1.22.10" },
      actor: { name: "ci-bot" },
      source: { addr: "registry-0:5000", instanceID: "c5b5f2f8-0d1e-4b1a-9b0a-0e6f2b0d1c2a" },
    },
    {
      id: "7d3f2e6a-1b2c-4d5e-8f90-a1b2c3d4e5f6",
      timestamp: "2025-03-01T12:00:01.500000000Z",
      action: "push",
      target: {
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        digest: "sha256:7b3ac1e26a3f2a7c4d9e0b8a5c6d7e8f9a0b1c2d3e4f5061728394a5b6c7d8e9",
        repository: "team/app",
        url: "https://registry.example.com/v2/team/app/manifests/sha256:7b3ac1e26a3f2a7c4d9e0b8a5c6d7e8f9a0b1c2d3e4f5061728394a5b6c7d8e9",
      },
      request: { host: "registry.example.com" },
    },
    {
      id: "a1c9e7f3-2b4d-4e6f-8a0b-1c2d3e4f5a6b",
      timestamp: "2025-03-01T12:05:00.000000000Z",
      action: "pull",
      target: { mediaType: "application/vnd.docker.distribution.manifest.v2+json", digest: DIGEST, repository: "team/app", tag: "1.4.2" },
      request: { host: "registry.example.com", method: "GET", useragent: "containerd/1.7.24" },
    },
  ],
};

describe("parseImagePush", () => {
  it("reads the simple form with separate tag and digest", () => {
    expect(parseImagePush({ image: "registry.example.com/team/app", tag: "1.4.2", digest: DIGEST })).toEqual({
      images: [{ image: "registry.example.com/team/app", tag: "1.4.2", digest: DIGEST }],
      ignored: [],
    });
  });

  it("splits name:tag and name@digest, leaving a registry port alone", () => {
    expect(parseImagePush({ image: "registry.example.com/team/app:1.4.2" }).images).toEqual([{ image: "registry.example.com/team/app", tag: "1.4.2" }]);
    expect(parseImagePush({ image: `registry.example.com:5000/team/app:1.4.2@${DIGEST}` }).images).toEqual([
      { image: "registry.example.com:5000/team/app", tag: "1.4.2", digest: DIGEST },
    ]);
    expect(parseImagePush({ image: "registry.example.com:5000/team/app", digest: DIGEST }).images).toEqual([
      { image: "registry.example.com:5000/team/app", digest: DIGEST },
    ]);
  });

  it("names the bad field of a simple notification", () => {
    expect(caught(() => parseImagePush({ tag: "1.4.2" })).message).toBe("Invalid image push notification: image: Required");
    expect(caught(() => parseImagePush({ image: "registry.example.com/team/app" })).message).toMatch(/^Invalid image push notification: tag: Required/);
    expect(caught(() => parseImagePush({ image: "registry.example.com/team/app:1.4.2", tag: "1.4.3" })).message).toMatch(/tag: "1.4.3" contradicts/);
    expect(caught(() => parseImagePush({ image: "registry.example.com/team/app", tag: "1.4.2", digest: "sha256:abc" })).message).toMatch(
      /digest: must look like/,
    );
    expect(caught(() => parseImagePush({ image: "https://registry.example.com/team/app:1" })).message).toMatch(/without a scheme/);
  });

  it("takes only the tagged manifest push from a registry envelope and says why the rest were ignored", () => {
    const result = parseImagePush(registryEnvelope, REGISTRY_EVENTS_CONTENT_TYPE);
    expect(result.images).toEqual([{ image: "registry.example.com/team/app", tag: "1.4.2", digest: DIGEST }]);
    expect(result.ignored).toHaveLength(3);
    expect(result.ignored[0]).toMatch(/^events\[0\]: blob push \(application\/vnd.docker.image.rootfs.diff.tar.gzip\)/);
    expect(result.ignored[1]).toMatch(/^events\[2\]: team\/app pushed by digest only \(no tag\)/);
    expect(result.ignored[2]).toBe("events[3]: pull of team/app is not a push");
  });

  it("recognizes an envelope without the content type and falls back to target.url for the host", () => {
    const event = { ...registryEnvelope.events[1]!, request: undefined };
    expect(parseImagePush({ events: [event] }).images).toEqual([{ image: "registry.example.com/team/app", tag: "1.4.2", digest: DIGEST }]);
  });

  it("names the bad field of an envelope", () => {
    const { repository: _drop, ...target } = registryEnvelope.events[1]!.target;
    const bad = { events: [registryEnvelope.events[3], { ...registryEnvelope.events[1], target }] };
    expect(caught(() => parseImagePush(bad, REGISTRY_EVENTS_CONTENT_TYPE)).message).toBe(
      "Invalid registry notification: events[1].target.repository: Required",
    );
    expect(caught(() => parseImagePush({}, REGISTRY_EVENTS_CONTENT_TYPE)).message).toBe("Invalid registry notification: events: Required");
    expect(caught(() => parseImagePush({ events: [{ target: {} }] }, REGISTRY_EVENTS_CONTENT_TYPE)).message).toBe(
      "Invalid registry notification: events[0].action: Required",
    );
  });
});

// The GitLab change-request provider against a local GitLab-shaped API: lifecycle, approvals
// and notes mirrored as reviews, both merge methods, GitLab's 401 quirks and error mapping.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitlabProvider, parseGitLabRemote } from "../../lib/changes/providers/gitlab";
import type { AppError } from "../../lib/errors";
import { startFakeGitLab, type FakeGitLab } from "../../support/fake-gitlab";

const BOT = "glpat-botTokenForTideline0123456789";
const ALICE = "glpat-aliceDeveloperToken012345678";
const READER = "glpat-readApiOnlyToken0123456789ab";

let gl: FakeGitLab;
let seq = 0;

beforeAll(async () => {
  gl = await startFakeGitLab({
    projectPath: "acme/platform/config",
    tokens: { [BOT]: "tideline-bot", [ALICE]: { username: "alice", role: "developer" }, [READER]: { username: "reader", scope: "read_api" } },
  });
});
afterAll(() => gl.stop());

const provider = (token = BOT) => gitlabProvider({ apiUrl: gl.apiUrl, projectPath: "acme/platform/config", token });
const branch = () => {
  const name = `promote/staging-${++seq}`;
  gl.pushBranch(name);
  return name;
};
const openMr = async (head = branch()) => provider().open({ title: `Promote ${head}`, body: "Bumps the image tag.", headBranch: head, baseBranch: "main" });
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return err as AppError;
  }
  throw new Error("expected the call to fail");
};

describe("GitLab merge requests", () => {
  it("dates each approval to the diff version pushed before it; an unapproval removes it and a new approval is a new review", async () => {
    const head = branch();
    const mr = await openMr(head);
    const first = gl.branchSha(head);
    gl.externalApprove(mr.number, "bob");
    await new Promise((r) => setTimeout(r, 5)); // distinct timestamps, as between a push and a review
    const later = gl.pushBranch(head);
    await new Promise((r) => setTimeout(r, 5));
    gl.externalApprove(mr.number, "erin");
    let approvals = (await provider().listReviews(mr.number)).filter((r) => r.state === "approved");
    expect(approvals.map(({ author, commitSha }) => ({ author, commitSha }))).toEqual([
      { author: "bob", commitSha: first },
      { author: "erin", commitSha: later },
    ]);
    const bobsFirst = approvals[0]!.id;

    gl.externalUnapprove(mr.number, "bob");
    approvals = (await provider().listReviews(mr.number)).filter((r) => r.state === "approved");
    expect(approvals.map((r) => r.author)).toEqual(["erin"]);
    await new Promise((r) => setTimeout(r, 5));
    gl.externalApprove(mr.number, "bob");
    const again = (await provider().listReviews(mr.number)).find((r) => r.author === "bob" && r.state === "approved")!;
    expect(again.id).not.toBe(bobsFirst);
    expect(again.commitSha).toBe(later);
  });

  it("opens a merge request and reads it back", async () => {
    const head = branch();
    const mr = await openMr(head);
    expect(mr).toMatchObject({
      state: "open",
      title: `Promote ${head}`,
      body: "Bumps the image tag.",
      headBranch: head,
      baseBranch: "main",
      headSha: gl.branchSha(head),
      author: "tideline-bot",
      mergedSha: null,
    });
    expect(mr.url).toBe(`${gl.url}/acme/platform/config/-/merge_requests/${mr.number}`);
    expect(await provider().get(mr.number)).toEqual(mr);
  });

  it("mirrors approvals and comments made on GitLab, leaving out system notes", async () => {
    const mr = await openMr();
    gl.externalApprove(mr.number, "bob");
    gl.externalNote(mr.number, "carol", "Changes requested: Pin the chart version.");
    gl.externalNote(mr.number, "dave", "Looks fine to me.");
    const reviews = await provider().listReviews(mr.number);
    expect(reviews.map(({ author, state, body }) => ({ author, state, body }))).toEqual([
      { author: "bob", state: "approved", body: "" },
      { author: "carol", state: "changes_requested", body: "Pin the chart version." },
      { author: "dave", state: "commented", body: "Looks fine to me." },
    ]);
    expect(new Set(reviews.map((r) => r.id)).size).toBe(3);
  });

  it("follows GitLab's pagination when there are many notes", async () => {
    const mr = await openMr();
    for (let i = 0; i < 130; i++) gl.externalNote(mr.number, `reviewer${i}`, `note ${i}`);
    const reviews = await provider().listReviews(mr.number);
    expect(reviews).toHaveLength(130);
    expect(reviews.map((r) => r.body)).toContain("note 129");
  });

  it("approves, requests changes (withdrawing the approval) and comments", async () => {
    const mr = await openMr();
    await provider(ALICE).review(mr.number, { state: "approved", body: "" });
    await provider(ALICE).review(mr.number, { state: "approved", body: "" }); // approving twice is harmless
    expect((await provider().listReviews(mr.number)).map((r) => [r.author, r.state])).toEqual([["alice", "approved"]]);

    await provider(ALICE).review(mr.number, { state: "changes_requested", body: "Bump the replicas too." });
    await provider(ALICE).review(mr.number, { state: "commented", body: "Thanks." });
    const reviews = await provider().listReviews(mr.number);
    expect(reviews.map((r) => [r.author, r.state, r.body])).toEqual([
      ["alice", "changes_requested", "Bump the replicas too."],
      ["alice", "commented", "Thanks."],
    ]);
    expect(gl.mergeRequest(mr.number)).toBeDefined();
  });

  it("explains a refused approval instead of blaming the token", async () => {
    const mr = await openMr();
    const err = await failure(provider().review(mr.number, { state: "approved", body: "" }));
    expect(err).toMatchObject({ code: "forbidden", message: expect.stringContaining("the author") });
  });

  it("merges with a merge commit, checking the reviewed head", async () => {
    const mr = await openMr();
    const { mergedSha } = await provider().merge(mr.number, { method: "merge", expectedHeadSha: mr.headSha, commitTitle: "Promote to staging" });
    expect(mergedSha).toMatch(/^[0-9a-f]{40}$/);
    expect(mergedSha).not.toBe(mr.headSha);
    expect(gl.branchSha("main")).toBe(mergedSha);
    expect(await provider().get(mr.number)).toMatchObject({ state: "merged", mergedSha });
  });

  it("fast-forwards only where the project merges that way", async () => {
    const mr = await openMr();
    const refused = await failure(provider().merge(mr.number, { method: "fast-forward" }));
    expect(refused).toMatchObject({ code: "invalid", message: expect.stringContaining("Fast-forward merge") });
    gl.setMergeMethod("ff");
    try {
      const { mergedSha } = await provider().merge(mr.number, { method: "fast-forward", expectedHeadSha: mr.headSha });
      expect(mergedSha).toBe(mr.headSha);
      expect(gl.branchSha("main")).toBe(mr.headSha);
      expect(await provider().get(mr.number)).toMatchObject({ state: "merged", mergedSha: mr.headSha });
    } finally {
      gl.setMergeMethod("merge");
    }
  });

  it("reports a fast-forward that needs a rebase as a conflict", async () => {
    const mr = await openMr();
    gl.setMergeMethod("ff");
    try {
      await openMr().then((other) => provider().merge(other.number, { method: "fast-forward" })); // main moves on
      await expect(provider().merge(mr.number, { method: "fast-forward" })).rejects.toMatchObject({
        code: "conflict",
        message: expect.stringContaining("rebased"),
      });
    } finally {
      gl.setMergeMethod("merge");
    }
  });

  it("closes a merge request", async () => {
    const mr = await openMr();
    await provider().close(mr.number);
    expect(await provider().get(mr.number)).toMatchObject({ state: "closed", mergedSha: null });
  });

  it("mirrors a merge someone made on GitLab", async () => {
    const mr = await openMr();
    gl.externalMerge(mr.number, "bob");
    expect(await provider().get(mr.number)).toMatchObject({ state: "merged", mergedSha: gl.branchSha("main") });
  });
});

describe("GitLab failures", () => {
  it("reports an expired token as upstream_auth without repeating the token", async () => {
    const token = "glpat-soonExpiredToken0123456789ab";
    gl.addToken(token, "tideline-bot");
    const mr = await gitlabProvider({ apiUrl: gl.apiUrl, projectPath: "acme/platform/config", token }).open({
      title: "t",
      body: "",
      headBranch: branch(),
      baseBranch: "main",
    });
    gl.expireToken(token);
    for (const op of [(p: ReturnType<typeof provider>) => p.get(mr.number), (p: ReturnType<typeof provider>) => p.merge(mr.number, { method: "merge" })]) {
      const err = await failure(op(gitlabProvider({ apiUrl: gl.apiUrl, projectPath: "acme/platform/config", token })));
      expect(err).toMatchObject({ code: "upstream_auth", message: "GitLab rejected the token (expired or revoked): update the repository's token" });
      expect(JSON.stringify({ message: err.message, details: err.details, stack: err.stack })).not.toContain(token);
    }
    await expect(provider("glpat-neverIssued").get(mr.number)).rejects.toMatchObject({ code: "upstream_auth" });
  });

  it("refuses a second merge request for the same branch as a conflict", async () => {
    const head = branch();
    await openMr(head);
    const err = await failure(openMr(head));
    expect(err).toMatchObject({ code: "conflict", message: expect.stringContaining("Another open merge request already exists") });
  });

  it("says which branch GitLab does not have", async () => {
    const err = await failure(provider().open({ title: "t", body: "", headBranch: "never-pushed", baseBranch: "main" }));
    expect(err).toMatchObject({ code: "invalid", message: expect.stringContaining('Source branch "never-pushed" does not exist') });
  });

  it("reports an unmergeable merge request and a moved head as conflicts", async () => {
    const mr = await openMr();
    gl.setMergeable(mr.number, false);
    await expect(provider().merge(mr.number, { method: "merge" })).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining("cannot be merged"),
    });
    gl.setMergeable(mr.number, true);
    gl.pushBranch(mr.headBranch);
    await expect(provider().merge(mr.number, { method: "merge", expectedHeadSha: mr.headSha })).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining("moved"),
    });
    await provider().close(mr.number);
    await expect(provider().merge(mr.number, { method: "merge" })).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining("not mergeable"),
    });
  });

  it("reports throttling with GitLab's Retry-After", async () => {
    gl.throttle(45);
    try {
      const err = await failure(provider().get(1));
      expect(err.code).toBe("rate_limited");
      expect(err.details?.retryAfterSeconds).toBeGreaterThanOrEqual(44);
      expect(err.details?.retryAfterSeconds).toBeLessThanOrEqual(45);
    } finally {
      gl.throttle(0);
    }
  });

  it("tells a 401 about merge permission apart from a bad token", async () => {
    const mr = await openMr();
    const err = await failure(provider(ALICE).merge(mr.number, { method: "merge" }));
    expect(err).toMatchObject({ code: "forbidden", message: expect.stringContaining("permission to merge") });
  });

  it("names the missing api scope for a read-only token", async () => {
    const err = await failure(provider(READER).open({ title: "t", body: "", headBranch: branch(), baseBranch: "main" }));
    expect(err).toMatchObject({ code: "forbidden", message: expect.stringContaining("api scope") });
  });

  it("reports a missing merge request, a wrong project and an unreachable API", async () => {
    await expect(provider().get(99_999)).rejects.toMatchObject({ code: "not_found" });
    await expect(gitlabProvider({ apiUrl: gl.apiUrl, projectPath: "acme/other", token: BOT }).get(1)).rejects.toMatchObject({ code: "not_found" });
    const err = await failure(gitlabProvider({ apiUrl: "http://127.0.0.1:1/api/v4", projectPath: "acme/platform/config", token: BOT }).get(1));
    expect(err).toMatchObject({ code: "unreachable", message: expect.stringContaining("Could not reach GitLab at http://127.0.0.1:1/api/v4") });
    expect(err.message).not.toContain(BOT);
  });

  it("answers the documented error shapes to raw clients too", async () => {
    const post = (body: unknown, token = BOT) =>
      fetch(`${gl.apiUrl}/projects/${encodeURIComponent("acme/platform/config")}/merge_requests`, {
        method: "POST",
        headers: { "PRIVATE-TOKEN": token, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const noParams = await post({ title: "t" });
    expect(noParams.status).toBe(400);
    expect(await noParams.json()).toEqual({ error: "source_branch is missing, target_branch is missing" });
    const bad = await post({}, "wrong");
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ message: "401 Unauthorized" });
  });
});

describe("parseGitLabRemote", () => {
  it("reads gitlab.com remotes with subgroups in every usual form", () => {
    const expected = { projectPath: "acme/platform/config", apiUrl: "https://gitlab.com/api/v4" };
    for (const url of [
      "https://gitlab.com/acme/platform/config",
      "https://gitlab.com/acme/platform/config.git",
      "git@gitlab.com:acme/platform/config.git",
      "ssh://git@gitlab.com/acme/platform/config.git",
      "https://gitlab.com/acme/platform/config/-/tree/main",
    ]) {
      expect(parseGitLabRemote(url), url).toEqual(expected);
    }
  });

  it("treats other hosts as self-managed GitLab only when told", () => {
    expect(parseGitLabRemote("https://git.example.com/acme/config.git")).toBeNull();
    expect(parseGitLabRemote("https://git.example.com/acme/config.git", { selfManaged: true })).toEqual({
      projectPath: "acme/config",
      apiUrl: "https://git.example.com/api/v4",
    });
    expect(parseGitLabRemote("ssh://git@git.example.com:2222/acme/config.git", { selfManaged: true })?.apiUrl).toBe("https://git.example.com/api/v4");
  });

  it("rejects URLs that name no project", () => {
    expect(() => parseGitLabRemote("https://gitlab.com/acme")).toThrow(/GROUP\/PROJECT/);
  });

  it("drives a self-managed API found from the remote", async () => {
    const remote = parseGitLabRemote(`${gl.url}/acme/platform/config.git`, { selfManaged: true });
    expect(remote).toEqual({ projectPath: "acme/platform/config", apiUrl: gl.apiUrl });
    const mr = await gitlabProvider({ ...remote!, token: BOT }).open({ title: "Self-managed", body: "", headBranch: branch(), baseBranch: "main" });
    expect((await gitlabProvider({ ...remote!, token: BOT }).get(mr.number)).title).toBe("Self-managed");
  });
});

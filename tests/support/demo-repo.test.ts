// Checks the demo GitOps repository: layout at HEAD, history shape, idempotency,
// and the commitFile / forcePushBranch helpers that other tests build on.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitFile, createDemoRepository, forcePushBranch, runGit } from "../../support/demo-repo.ts";

const NOW = new Date("2025-06-01T12:00:00Z");
let tmp: string;
let bare: string;
let created: { commits: number; branches: string[] };
const g = (...args: string[]) => runGit([`--git-dir=${bare}`, ...args]);

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tideline-demo-repo-"));
  bare = path.join(tmp, "gitops.git");
  created = await createDemoRepository(bare, { now: NOW });
}, 60_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("createDemoRepository", () => {
  it("has the GitOps layout at HEAD", async () => {
    const files = (await g("ls-tree", "-r", "--name-only", "HEAD")).split("\n");
    const expected = [
      "README.md",
      ...["kustomization", "deployment", "service", "configmap"].flatMap((f) => [`apps/guestbook/base/${f}.yaml`, `apps/payments/base/${f}.yaml`]),
      ...["dev", "staging", "prod"].flatMap((e) => [`apps/guestbook/overlays/${e}/kustomization.yaml`, `apps/payments/overlays/${e}/kustomization.yaml`]),
      "apps/payments/overlays/prod/hpa.yaml",
      "charts/redis/Chart.yaml",
      ...["", "-dev", "-staging", "-prod"].map((v) => `charts/redis/values${v}.yaml`),
      ...["deployment.yaml", "service.yaml", "_helpers.tpl"].map((t) => `charts/redis/templates/${t}`),
      "platform/namespaces/namespaces.yaml",
      "platform/namespaces/resource-quota.yaml",
      "platform/namespaces/network-policy.yaml",
    ];
    expect(files).toEqual(expect.arrayContaining(expected));
    const prod = await g("show", "HEAD:apps/guestbook/overlays/prod/kustomization.yaml");
    expect(prod).toContain("namespace: guestbook-prod");
    expect(prod).toContain("newTag: 1.4.2");
    expect(await g("show", "HEAD:charts/redis/Chart.yaml")).toContain("apiVersion: v2");
  });

  it("has ~40 commits by several authors over the last 30 days, on more than one branch", async () => {
    expect(created.commits).toBeGreaterThanOrEqual(35);
    expect(created.commits).toBeLessThanOrEqual(50);
    expect(Number(await g("rev-list", "--all", "--count"))).toBe(created.commits);
    expect(created.branches).toContain("main");
    expect(created.branches.length).toBeGreaterThanOrEqual(2);
    expect(await g("symbolic-ref", "HEAD")).toBe("refs/heads/main");
    const log = (await g("log", "--all", "--format=%ae %at")).split("\n").map((l) => l.split(" "));
    expect(new Set(log.map(([email]) => email)).size).toBeGreaterThanOrEqual(3);
    for (const [, at] of log) {
      const ms = Number(at) * 1000;
      expect(ms).toBeLessThan(NOW.getTime());
      expect(ms).toBeGreaterThan(NOW.getTime() - 31 * 24 * 3600 * 1000);
    }
    // The feature branch diverges from main rather than being an ancestor of it.
    const other = created.branches.find((b) => b !== "main")!;
    await expect(g("merge-base", "--is-ancestor", other, "main")).rejects.toThrow();
    expect(await g("config", "http.receivepack")).toBe("true");
  });

  it("is deterministic for a given `now` and idempotent on an existing repo", async () => {
    const again = path.join(tmp, "again.git");
    await createDemoRepository(again, { now: NOW });
    expect(await runGit([`--git-dir=${again}`, "rev-parse", "main"])).toBe(await g("rev-parse", "main"));
    const before = await g("for-each-ref");
    expect(await createDemoRepository(bare)).toEqual(created);
    expect(await g("for-each-ref")).toBe(before);
  }, 60_000);

  it("commitFile adds a commit with a nested path; forcePushBranch rewinds", async () => {
    const parent = await g("rev-parse", "main");
    const sha = await commitFile(bare, {
      branch: "main",
      path: "apps/guestbook/overlays/dev/extra/notes.yaml",
      content: "note: hi\n",
      message: "guestbook: add notes",
      author: { name: "Tess", email: "tess@example.com" },
      date: NOW,
    });
    expect(await g("rev-parse", "main")).toBe(sha);
    expect(await g("rev-parse", `${sha}^`)).toBe(parent);
    expect(await g("show", `${sha}:apps/guestbook/overlays/dev/extra/notes.yaml`)).toBe("note: hi");
    expect(await g("log", "-1", "--format=%an|%s", sha)).toBe("Tess|guestbook: add notes");
    // Everything else in the tree is preserved.
    expect(await g("rev-parse", `${sha}:charts`)).toBe(await g("rev-parse", `${parent}:charts`));

    const fresh = await commitFile(bare, { branch: "scratch", path: "a.txt", content: "x", message: "root" });
    expect(await g("rev-list", "--count", "scratch")).toBe("1");
    expect(fresh).toHaveLength(40);

    await forcePushBranch(bare, "main", parent);
    expect(await g("rev-parse", "main")).toBe(parent);
    await expect(forcePushBranch(bare, "main", "0".repeat(40))).rejects.toThrow();
  });
});

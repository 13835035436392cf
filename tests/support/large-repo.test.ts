// Checks the fast-import generator for synthetic big repositories at a small scale:
// exact commit and file counts, determinism, and appending commits on top of main.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGit } from "../../support/demo-repo.ts";
import { appendCommits, createLargeRepository } from "../../support/large-repo.ts";

let tmp: string;
const g = (dir: string, ...args: string[]) => runGit([`--git-dir=${dir}`, ...args]);

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tideline-large-repo-"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("createLargeRepository", () => {
  it("creates exactly the requested commits and files, deterministically", async () => {
    const a = path.join(tmp, "a.git");
    const { headSha } = await createLargeRepository(a, { commits: 200, files: 50, seed: 42 });
    expect(await g(a, "rev-list", "--count", "main")).toBe("200");
    expect(await g(a, "rev-parse", "main")).toBe(headSha);
    expect(await g(a, "symbolic-ref", "HEAD")).toBe("refs/heads/main");
    const files = (await g(a, "ls-tree", "-r", "--name-only", "main")).split("\n");
    expect(files).toHaveLength(50);
    expect(files.every((f) => /^apps\/app-\d{3}\/overlays\/(dev|staging|prod)\/file-\d{4}\.yaml$/.test(f))).toBe(true);
    // Every non-creating commit touches 1-5 files.
    const counts = (await g(a, "log", "--format=%x00", "--name-only", "main~199..main"))
      .split("\0")
      .slice(1)
      .map((b) => b.split("\n").filter(Boolean).length);
    expect(counts).toHaveLength(199);
    expect(counts.every((n) => n >= 1 && n <= 5)).toBe(true);

    const b = path.join(tmp, "b.git");
    expect((await createLargeRepository(b, { commits: 200, files: 50, seed: 42 })).headSha).toBe(headSha);
    const c = path.join(tmp, "c.git");
    expect((await createLargeRepository(c, { commits: 200, files: 50, seed: 7 })).headSha).not.toBe(headSha);
  }, 60_000);

  it("handles more files than commits", async () => {
    const dir = path.join(tmp, "wide.git");
    await createLargeRepository(dir, { commits: 3, files: 1000 });
    expect(await g(dir, "rev-list", "--count", "main")).toBe("3");
    expect((await g(dir, "ls-tree", "-r", "--name-only", "main")).split("\n")).toHaveLength(1000);
  }, 60_000);

  it("appendCommits adds n commits on top of main", async () => {
    const dir = path.join(tmp, "append.git");
    const { headSha: before } = await createLargeRepository(dir, { commits: 200, files: 50 });
    const { headSha } = await appendCommits(dir, 100);
    expect(await g(dir, "rev-list", "--count", "main")).toBe("300");
    expect(await g(dir, "rev-parse", "main~100")).toBe(before);
    expect(headSha).toBe(await g(dir, "rev-parse", "main"));
    expect((await g(dir, "ls-tree", "-r", "--name-only", "main")).split("\n")).toHaveLength(50);
    await appendCommits(dir, 5);
    expect(await g(dir, "rev-list", "--count", "main")).toBe("305");
  }, 60_000);
});

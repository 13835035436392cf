// Imports that stop midway, and repositories with unusual content: binary and huge
// files, hostile file names. Real Git server, real Postgres.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import path from "node:path";
import { existsSync, readdirSync } from "node:fs";
import { addRepository } from "../../lib/repositories/add-repository";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { fetchMirror, mirrorPath } from "../../lib/git/mirror";
import { indexRepository } from "../../lib/git/indexer";
import { browseTree, readFile } from "../../lib/repositories/browse";
import { browseDeps, fetchDeps, sealDeps } from "../../server/root";
import { env } from "../../lib/env";
import { createLargeRepository } from "../../support/large-repo";
import { commitFile, runGit } from "../../support/demo-repo";
import { gitIn, startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { prisma, uniqueName } from "../helpers/db";
import type { PrismaClient } from "../../lib/generated/prisma/client";

let git: GitFixtures;
beforeAll(async () => {
  git = await startGitFixtures();
});
afterAll(() => git.stop());

async function track(bareName: string) {
  return addRepository(sealDeps(), { name: uniqueName(bareName), url: `${git.open.url}/${bareName}.git` }, null);
}

/** A client whose Nth transaction fails, as if the process died or the database dropped mid-import. */
function failingOnTransaction(n: number): PrismaClient {
  let calls = 0;
  const real = prisma();
  return new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === "$transaction") {
        return (...args: unknown[]) => {
          calls += 1;
          if (calls === n) return Promise.reject(new Error("connection lost"));
          return (target.$transaction as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

describe("an import interrupted midway", () => {
  it("leaves no half-indexed commit and the next fetch completes it", async () => {
    const bare = path.join(git.root, "big.git");
    await createLargeRepository(bare, { commits: 1_200, files: 60 });
    const repo = await track("big");
    const gitdir = mirrorPath(env().mirrorsDir, repo.id);
    const { branches } = await fetchMirror({ gitdir, url: repo.url, credentials: {} });

    await expect(indexRepository({ prisma: failingOnTransaction(2), repositoryId: repo.id, gitdir, branches })).rejects.toThrow("connection lost");

    const rows = await prisma().commit.findMany({ where: { repositoryId: repo.id }, include: { _count: { select: { files: true } } } });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(1_200);
    const indexed = new Set(rows.map((r) => r.sha));
    for (const row of rows) {
      for (const parent of row.parents) expect(indexed.has(parent), `parent of ${row.sha} indexed`).toBe(true);
      expect(row._count.files).toBe(row.filesChanged);
    }
    expect(await prisma().branch.count({ where: { repositoryId: repo.id } })).toBe(0);

    await fetchRepository(fetchDeps(), repo.id);
    expect(await prisma().commit.count({ where: { repositoryId: repo.id } })).toBe(1_200);
    const main = await prisma().branch.findFirstOrThrow({ where: { repositoryId: repo.id, name: "main" } });
    expect(await prisma().branchCommit.count({ where: { branchId: main.id } })).toBe(1_200);
  });
});

describe("unusual repository content", () => {
  let repoId: string;
  let bare: string;
  beforeAll(async () => {
    bare = path.join(git.root, "odd.git");
    await runGit(["init", "-q", "--bare", "-b", "main", bare]);
    await commitFile(bare, { branch: "main", path: "README.md", content: "# odd\n", message: "init" });
    await commitFile(bare, { branch: "main", path: "assets/logo.png", content: "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", message: "add logo" });
    await commitFile(bare, { branch: "main", path: "dump/huge.yaml", content: "x: y\n".repeat(300_000), message: "add huge file" });
    // A tree entry named like a traversal, built with plumbing (git's porcelain refuses it).
    const blob = await runGit([`--git-dir=${bare}`, "hash-object", "-w", "--stdin"], { input: "owned\n" });
    const evilTree = await runGit([`--git-dir=${bare}`, "mktree"], { input: `100644 blob ${blob}\t<img src=x onerror=alert(1)>.yaml\n` });
    const head = await gitIn(bare, "rev-parse", "main");
    const headTree = await gitIn(bare, "rev-parse", "main^{tree}");
    const listing = await gitIn(bare, "ls-tree", headTree);
    const root = await runGit([`--git-dir=${bare}`, "mktree"], { input: `${listing}\n040000 tree ${evilTree}\tweird\n` });
    const commit = await runGit([`--git-dir=${bare}`, "commit-tree", root, "-p", head, "-m", "odd names"], {
      env: { GIT_AUTHOR_NAME: "x", GIT_AUTHOR_EMAIL: "x@x", GIT_COMMITTER_NAME: "x", GIT_COMMITTER_EMAIL: "x@x" },
    });
    await gitIn(bare, "update-ref", "refs/heads/main", commit);
    const repo = await track("odd");
    repoId = repo.id;
    await fetchRepository(fetchDeps(), repoId);
  });

  it("reports binary and oversized files instead of their contents", async () => {
    const logo = await readFile(browseDeps(), repoId, "main", "assets/logo.png");
    expect(logo.file).toMatchObject({ kind: "binary", path: "assets/logo.png" });
    const huge = await readFile(browseDeps(), repoId, "main", "dump/huge.yaml");
    expect(huge.file).toMatchObject({ kind: "too_large", size: 1_500_000 });
    expect(huge.file).not.toHaveProperty("content");
  });

  it("lists hostile file names as plain data and never writes them to disk", async () => {
    const tree = await browseTree(browseDeps(), repoId, "main", "weird");
    expect(tree.entries.map((e) => e.name)).toEqual(["<img src=x onerror=alert(1)>.yaml"]);
    const gitdir = mirrorPath(env().mirrorsDir, repoId);
    expect(readdirSync(gitdir).sort()).toEqual(expect.arrayContaining(["HEAD", "config", "objects", "refs"]));
    expect(existsSync(path.join(gitdir, "weird"))).toBe(false);
    await expect(readFile(browseDeps(), repoId, "main", "weird/../../../etc/passwd")).rejects.toMatchObject({ code: "invalid" });
  });
});

describe("a fresh mirror asked for by several jobs at once", () => {
  it("is created once: every fetch succeeds and the remote URL in its config stays intact", async () => {
    const bare = path.join(git.root, "busy.git");
    await runGit(["init", "-q", "--bare", "-b", "main", bare]);
    await commitFile(bare, { branch: "main", path: "README.md", content: "# busy\n", message: "init" });
    const url = `${git.open.url}/busy.git`;
    for (let round = 0; round < 5; round++) {
      const gitdir = path.join(git.root, "mirrors", `busy-${round}`);
      // Several environment jobs of one worker needing a revision this process's new mirror lacks.
      const results = await Promise.allSettled(Array.from({ length: 16 }, () => fetchMirror({ gitdir, url, credentials: {} })));
      expect(results.map((r) => (r.status === "fulfilled" ? r.value.branches.map((b) => b.name).join() : String(r.reason)))).toEqual(
        Array.from({ length: 16 }, () => "main"),
      );
      expect(await gitIn(gitdir, "config", "--get", "remote.origin.url")).toBe(url);
    }
  });
});

// Tideline writing to a real Git server: commits without a work tree, compare-and-swap
// pushes, rebase when the branch moved, conflicts reported with the edit kept.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import path from "node:path";
import { addRepository } from "../../lib/repositories/add-repository";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { commitToBranch } from "../../lib/repositories/write-branch";
import { fetchDeps, sealDeps, writeDeps } from "../../server/root";
import { commitFile, createDemoRepository } from "../../support/demo-repo";
import { gitIn, startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { prisma, uniqueName } from "../helpers/db";
import { startTestWorker, stopTestWorker } from "../helpers/worker";
import { eventually } from "../helpers/testbed";

let git: GitFixtures;
let bare: string;
let repoId: string;
const author = { name: "Ada Lovelace", email: "ada@example.com" };
const show = (rev: string) => gitIn(bare, "show", rev);

beforeAll(async () => {
  git = await startGitFixtures();
  bare = path.join(git.root, `${uniqueName("write")}.git`);
  await createDemoRepository(bare);
  const repo = await addRepository(
    sealDeps(),
    { name: uniqueName("write"), url: `${git.authed.url}/${path.basename(bare)}`, username: git.credentials.username, token: git.credentials.password },
    null,
  );
  repoId = repo.id;
  await fetchRepository(fetchDeps(), repoId);
  // A push queues the repository's fetch job, which indexes the new commit.
  await startTestWorker();
});
afterAll(async () => {
  await stopTestWorker();
  await git.stop();
});

describe("commitToBranch", () => {
  it("commits several files (add, modify, delete) as the user and indexes the result", async () => {
    const result = await commitToBranch(writeDeps(), {
      repositoryId: repoId,
      branch: "main",
      edits: [
        {
          path: "apps/guestbook/base/configmap.yaml",
          content: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: guestbook-config\ndata:\n  GREETING: hi\n",
        },
        { path: "notes/new.txt", content: "hello\n" },
        { path: "README.md", content: null },
      ],
      message: "Edit three files",
      author,
    });
    expect(await gitIn(bare, "rev-parse", "main")).toBe(result.sha);
    expect(await gitIn(bare, "log", "-1", "--format=%an <%ae>|%s", "main")).toBe("Ada Lovelace <ada@example.com>|Edit three files");
    expect(await show("main:notes/new.txt")).toBe("hello");
    await expect(show("main:README.md")).rejects.toThrow();
    const indexed = await eventually(
      () => prisma().commit.findUnique({ where: { repositoryId_sha: { repositoryId: repoId, sha: result.sha } }, include: { files: true } }),
      (c) => c !== null,
      30_000,
    );
    expect(indexed?.files.map((f) => `${f.change} ${f.path}`).sort()).toEqual([
      "added notes/new.txt",
      "deleted README.md",
      "modified apps/guestbook/base/configmap.yaml",
    ]);
  });

  it("rebases onto a branch that moved meanwhile when the edits do not overlap", async () => {
    const base = await gitIn(bare, "rev-parse", "main");
    await commitFile(bare, { branch: "main", path: "other/file.txt", content: "someone else\n", message: "Concurrent change" });
    const result = await commitToBranch(writeDeps(), {
      repositoryId: repoId,
      branch: "main",
      baseSha: base,
      edits: [{ path: "notes/rebased.txt", content: "mine\n" }],
      message: "Mine",
      author,
    });
    expect(result.rebased).toBe(true);
    expect(result.attempts).toBe(2);
    expect(await show("main:other/file.txt")).toBe("someone else");
    expect(await show("main:notes/rebased.txt")).toBe("mine");
    expect(await gitIn(bare, "log", "-1", "--format=%s", "main~1")).toBe("Concurrent change");
  });

  it("reports a real conflict by file name and leaves the branch untouched", async () => {
    const base = await gitIn(bare, "rev-parse", "main");
    await commitFile(bare, { branch: "main", path: "notes/new.txt", content: "theirs\n", message: "Their edit" });
    const theirs = await gitIn(bare, "rev-parse", "main");
    await expect(
      commitToBranch(writeDeps(), {
        repositoryId: repoId,
        branch: "main",
        baseSha: base,
        edits: [{ path: "notes/new.txt", content: "ours\n" }],
        message: "Ours",
        author,
      }),
    ).rejects.toMatchObject({ code: "conflict", details: { conflicts: ["notes/new.txt"] } });
    expect(await gitIn(bare, "rev-parse", "main")).toBe(theirs);
  });

  it("refuses a branch that already exists when a new one is required", async () => {
    await expect(
      commitToBranch(writeDeps(), { repositoryId: repoId, branch: "main", mustCreate: true, edits: [{ path: "x.txt", content: "x" }], message: "x", author }),
    ).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("already exists") });
  });

  it("creates a new branch from a commit without touching the base branch", async () => {
    const main = await gitIn(bare, "rev-parse", "main");
    const result = await commitToBranch(writeDeps(), {
      repositoryId: repoId,
      branch: "tideline/ada/feature",
      createFrom: main,
      mustCreate: true,
      edits: [{ path: "x.txt", content: "x\n" }],
      message: "x",
      author,
    });
    expect(await gitIn(bare, "rev-parse", "tideline/ada/feature")).toBe(result.sha);
    expect(await gitIn(bare, "rev-parse", "main")).toBe(main);
  });

  it("rejects unsafe paths and edits that change nothing, with the field named", async () => {
    const write = (p: string, content: string | null = "x") =>
      commitToBranch(writeDeps(), { repositoryId: repoId, branch: "main", edits: [{ path: p, content }], message: "m", author });
    await expect(write("../escape.yaml")).rejects.toThrow(/files\[0\]\.path.*"\.\."/);
    await expect(write("/etc/passwd")).rejects.toThrow(/files\[0\]\.path must be relative/);
    await expect(write("a/.git/config")).rejects.toThrow(/\.git segment/);
    const current = await show("main:notes/rebased.txt");
    await expect(write("notes/rebased.txt", `${current}\n`)).rejects.toThrow(/changes nothing/);
  });

  it("serializes concurrent writers: every commit lands exactly once", async () => {
    const writes = Array.from({ length: 4 }, (_, i) =>
      commitToBranch(writeDeps(), {
        repositoryId: repoId,
        branch: "main",
        edits: [{ path: `parallel/${i}.txt`, content: `${i}\n` }],
        message: `parallel ${i}`,
        author,
      }),
    );
    await Promise.all(writes);
    const subjects = (await gitIn(bare, "log", "-4", "--format=%s", "main")).split("\n").sort();
    expect(subjects).toEqual(["parallel 0", "parallel 1", "parallel 2", "parallel 3"]);
  });
});

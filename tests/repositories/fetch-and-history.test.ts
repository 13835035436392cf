// Mirroring and indexing a real repository served over HTTP, then reading history the
// way the pages do; git's own CLI on the same bare repository is the reference.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import path from "node:path";
import { renameSync } from "node:fs";
import { addRepository } from "../../lib/repositories/add-repository";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { listCommits } from "../../lib/repositories/list-commits";
import { getCommit, listBranches } from "../../lib/repositories/browse";
import { fetchDeps, sealDeps } from "../../server/root";
import { commitFile, createDemoRepository, forcePushBranch } from "../../support/demo-repo";
import { gitIn, startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { prisma, uniqueName } from "../helpers/db";

let git: GitFixtures;
let bare: string;
let repoId: string;

async function allPages(branch?: string, path?: string, limit = 7) {
  const shas: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listCommits(prisma(), repoId, { branch, path, cursor, limit });
    shas.push(...page.items.map((c) => c.sha));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return shas;
}

const gitLog = async (...args: string[]) => (await gitIn(bare, "log", "--format=%H", ...args)).split("\n").filter(Boolean);

beforeAll(async () => {
  git = await startGitFixtures();
  bare = path.join(git.root, "config.git");
  await createDemoRepository(bare);
  const repo = await addRepository(
    sealDeps(),
    { name: uniqueName("config"), url: `${git.authed.url}/config.git`, username: git.credentials.username, token: git.credentials.password },
    null,
  );
  repoId = repo.id;
  const outcome = await fetchRepository(fetchDeps(), repoId);
  expect(outcome.status).toBe("fetched");
});
afterAll(() => git.stop());

describe("fetch and index", () => {
  it("indexes every commit of every branch", async () => {
    const total = Number(await gitIn(bare, "rev-list", "--all", "--count"));
    expect(await prisma().commit.count({ where: { repositoryId: repoId } })).toBe(total);
    const branches = await listBranches(prisma(), repoId);
    const heads = (await gitIn(bare, "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads")).split("\n").sort();
    expect(branches.map((b) => `${b.name} ${b.headSha}`).sort()).toEqual(heads);
    expect(branches.find((b) => b.isDefault)?.name).toBe("main");
    const repo = await prisma().repository.findUniqueOrThrow({ where: { id: repoId } });
    expect(repo.status).toBe("ready");
  });

  it("pages through a branch newest first, without gaps or repeats", async () => {
    expect(await allPages("main")).toEqual(await gitLog("main"));
    const feature = (await listBranches(prisma(), repoId)).find((b) => !b.isDefault)!;
    expect(await allPages(feature.name)).toEqual(await gitLog(feature.name));
  });

  it("filters by path (folder or file)", async () => {
    expect(await allPages("main", "apps/payments")).toEqual(await gitLog("main", "--", "apps/payments"));
    expect(await allPages("main", "charts/redis/values.yaml")).toEqual(await gitLog("main", "--", "charts/redis/values.yaml"));
  });

  it("records author, time, message and changed files like git show", async () => {
    const [sha] = await gitLog("-1", "main~3");
    const commit = await getCommit(prisma(), repoId, sha!);
    const [author, email, time, subject] = (await gitIn(bare, "show", "-s", "--format=%an%n%ae%n%aI%n%s", sha!)).split("\n");
    expect(commit.authorName).toBe(author);
    expect(commit.authorEmail).toBe(email);
    expect(new Date(commit.authoredAt).getTime()).toBe(new Date(time!).getTime());
    expect(commit.message.split("\n")[0]).toBe(subject);
    const nameStatus = (await gitIn(bare, "show", "--name-status", "--format=", "--no-renames", sha!)).split("\n").filter(Boolean);
    const letter = { added: "A", modified: "M", deleted: "D" } as Record<string, string>;
    expect(commit.files.map((f) => `${letter[f.change]}\t${f.path}`).sort()).toEqual(nameStatus.sort());
  });

  it("indexes only new commits on the next fetch", async () => {
    await commitFile(bare, { branch: "main", path: "apps/guestbook/base/NOTES.md", content: "hello\n", message: "docs: add notes" });
    const outcome = await fetchRepository(fetchDeps(), repoId);
    expect(outcome).toMatchObject({ status: "fetched", index: { newCommits: 1 } });
    const first = await listCommits(prisma(), repoId, { branch: "main", limit: 1 });
    expect(first.items[0]!.message).toBe("docs: add notes");
    expect(first.items[0]!.files).toEqual([{ path: "apps/guestbook/base/NOTES.md", change: "added" }]);
  });

  it("shows what a force-pushed branch now holds", async () => {
    const [target] = await gitLog("-1", "main~4");
    await forcePushBranch(bare, "main", target!);
    await fetchRepository(fetchDeps(), repoId);
    expect(await allPages("main")).toEqual(await gitLog("main"));
    expect((await listBranches(prisma(), repoId)).find((b) => b.name === "main")?.headSha).toBe(target);
  });

  it("two fetches at once (the job engine runs one per repository; a person's refresh may overlap) both finish and index each commit once", async () => {
    const before = await prisma().commit.count({ where: { repositoryId: repoId } });
    const outcomes = await Promise.all([fetchRepository(fetchDeps(), repoId), fetchRepository(fetchDeps(), repoId)]);
    expect(outcomes.map((o) => o.status)).toEqual(["fetched", "fetched"]);
    expect(await prisma().commit.count({ where: { repositoryId: repoId } })).toBe(before);
    expect((await prisma().repository.findUniqueOrThrow({ where: { id: repoId } })).status).toBe("ready");
  });

  it("keeps history and shows the error when the remote disappears", async () => {
    const before = await prisma().commit.count({ where: { repositoryId: repoId } });
    renameSync(bare, `${bare}.gone`);
    try {
      await expect(fetchRepository(fetchDeps(), repoId)).rejects.toMatchObject({ message: expect.stringContaining("No Git repository") });
      const repo = await prisma().repository.findUniqueOrThrow({ where: { id: repoId } });
      expect(repo.status).toBe("error");
      expect(repo.lastError).toContain("404");
      expect(await prisma().commit.count({ where: { repositoryId: repoId } })).toBe(before);
      expect((await listCommits(prisma(), repoId, { branch: "main", limit: 5 })).items).toHaveLength(5);
    } finally {
      renameSync(`${bare}.gone`, bare);
    }
    await fetchRepository(fetchDeps(), repoId);
    expect((await prisma().repository.findUniqueOrThrow({ where: { id: repoId } })).status).toBe("ready");
  });

  it("rejects a malformed cursor and a path escaping the repository", async () => {
    await expect(listCommits(prisma(), repoId, { branch: "main", cursor: "bm9wZQ", limit: 5 })).rejects.toMatchObject({ code: "invalid" });
    await expect(listCommits(prisma(), repoId, { branch: "main", path: "../etc", limit: 5 })).rejects.toMatchObject({ code: "invalid" });
    await expect(listCommits(prisma(), repoId, { branch: "nope", limit: 5 })).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("the isomorphic-git fallback (no git CLI on the server)", () => {
  it("fetches and indexes exactly what the git CLI path does", async () => {
    const { fetchMirror, mirrorPath } = await import("../../lib/git/mirror");
    const { indexRepository } = await import("../../lib/git/indexer");
    const { env } = await import("../../lib/env");
    const index = async (reader: "git-cli" | "isomorphic-git") => {
      const repo = await addRepository(sealDeps(), { name: uniqueName(reader), url: `${git.open.url}/config.git` }, null);
      const gitdir = mirrorPath(env().mirrorsDir, repo.id);
      const { branches } = await fetchMirror({ gitdir, url: repo.url, credentials: {}, transport: reader });
      await indexRepository({ prisma: prisma(), repositoryId: repo.id, gitdir, branches, reader });
      const commits = await prisma().commit.findMany({ where: { repositoryId: repo.id }, include: { files: true }, orderBy: { sha: "asc" } });
      return commits.map((c) =>
        [
          c.sha,
          c.parents.join(","),
          c.message,
          c.authoredAt.toISOString(),
          c.files
            .map((f) => `${f.change}:${f.path}`)
            .sort()
            .join("|"),
        ].join(" "),
      );
    };
    const viaCli = await index("git-cli");
    expect(viaCli.length).toBeGreaterThan(30);
    expect(await index("isomorphic-git")).toEqual(viaCli);
  });
});

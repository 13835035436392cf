// Adding a repository against a real Git server: every failure the issue lists gets a
// specific message, and a token is stored encrypted, never in plain text.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import path from "node:path";
import { createServer } from "node:http";
import { addRepository } from "../../lib/repositories/add-repository";
import { sealDeps } from "../../server/root";
import { unseal } from "../../lib/crypto/keyring";
import { createDemoRepository, runGit } from "../../support/demo-repo";
import { freePort } from "../../support/postgres";
import { startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { prisma, uniqueName } from "../helpers/db";

let git: GitFixtures;

beforeAll(async () => {
  git = await startGitFixtures();
  await createDemoRepository(path.join(git.root, "config.git"));
  await runGit(["init", "-q", "--bare", path.join(git.root, "empty.git")]);
});
afterAll(() => git.stop());

const add = (url: string, extra: { username?: string; token?: string } = {}) => addRepository(sealDeps(), { name: uniqueName("repo"), url, ...extra }, null);

describe("adding a repository", () => {
  it("rejects a malformed URL, naming the field", async () => {
    await expect(add("not a url")).rejects.toMatchObject({ code: "invalid", message: expect.stringContaining("not a valid URL") });
  });

  it("rejects schemes other than http(s)", async () => {
    await expect(add("ssh://git@example.com/x.git")).rejects.toMatchObject({ code: "invalid", message: expect.stringContaining("Only http:// and https://") });
    await expect(add("file:///etc/passwd")).rejects.toMatchObject({ code: "invalid" });
  });

  it("reports an unreachable host", async () => {
    const port = await freePort();
    await expect(add(`http://127.0.0.1:${port}/config.git`)).rejects.toMatchObject({ code: "unreachable", message: expect.stringContaining("refused") });
    await expect(add("http://no-such-host.invalid/config.git")).rejects.toMatchObject({
      code: "unreachable",
      message: expect.stringContaining("could not be resolved"),
    });
  });

  it("reports bad or missing credentials as 401", async () => {
    await expect(add(`${git.authed.url}/config.git`)).rejects.toMatchObject({ code: "upstream_auth", message: expect.stringContaining("401") });
    await expect(add(`${git.authed.url}/config.git`, { username: "ci-bot", token: "wrong" })).rejects.toMatchObject({ code: "upstream_auth" });
  });

  it("reports a URL that is not a Git repository", async () => {
    await expect(add(`${git.open.url}/missing.git`)).rejects.toMatchObject({ code: "invalid", message: expect.stringContaining("No Git repository") });
    const web = createServer((_, res) => res.end("<html>hello</html>"));
    await new Promise<void>((r) => web.listen(0, "127.0.0.1", r));
    const port = (web.address() as { port: number }).port;
    try {
      await expect(add(`http://127.0.0.1:${port}/x.git`)).rejects.toMatchObject({
        code: "invalid",
        message: expect.stringContaining("does not look like a Git repository"),
      });
    } finally {
      web.close();
    }
  });

  it("reports an empty repository", async () => {
    await expect(add(`${git.open.url}/empty.git`)).rejects.toMatchObject({ code: "invalid", message: expect.stringContaining("empty") });
  });

  it("stores the token encrypted and records the default branch", async () => {
    const repo = await add(`${git.authed.url}/config.git`, { username: git.credentials.username, token: git.credentials.password });
    const row = await prisma().repository.findUniqueOrThrow({ where: { id: repo.id } });
    expect(row.defaultBranch).toBe("main");
    expect(row.encryptedToken).not.toContain(git.credentials.password);
    expect(unseal(row.encryptedToken!)).toBe(git.credentials.password);
  });

  it("refuses a duplicate name", async () => {
    const name = uniqueName("dup");
    await addRepository(sealDeps(), { name, url: `${git.open.url}/config.git` }, null);
    await expect(addRepository(sealDeps(), { name, url: `${git.open.url}/config.git` }, null)).rejects.toMatchObject({ code: "conflict" });
  });
});

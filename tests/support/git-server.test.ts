// Exercises the smart-HTTP git server with real clients: the git CLI and isomorphic-git,
// with and without Basic auth, plus the error paths (401, 404, path traversal, disconnects).
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import git from "isomorphic-git";
import gitHttp from "isomorphic-git/http/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitFile, runGit } from "../../support/demo-repo.ts";
import { startGitServer, type GitServer } from "../../support/git-server.ts";

const AUTH = { username: "alice", password: "s3cret" };
const IDENTITY = ["-c", "user.name=Test", "-c", "user.email=test@example.com"];
let tmp: string;
let open: GitServer;
let secured: GitServer;

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
const withCreds = (url: string, user = AUTH.username, pass = AUTH.password) => url.replace("http://", `http://${user}:${pass}@`);

/** Raw request, because fetch()/URL would normalise `..` away before it reaches the server. */
function rawGet(server: GitServer, rawPath: string): Promise<number> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    http
      .get({ hostname, port, path: rawPath }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on("error", reject);
  });
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tideline-git-server-"));
  const root = path.join(tmp, "repos");
  await runGit(["init", "-q", "--bare", "-b", "main", path.join(root, "app.git")]);
  await commitFile(path.join(root, "app.git"), { branch: "main", path: "apps/web/deployment.yaml", content: "kind: Deployment\n", message: "initial" });
  open = await startGitServer({ root });
  secured = await startGitServer({ root, auth: AUTH });
});

afterAll(async () => {
  await open?.stop();
  await secured?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("startGitServer", () => {
  it("serves clones over protocol v2 and v0 without auth", async () => {
    expect(open.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const version of ["2", "0"]) {
      const dest = path.join(tmp, `clone-open-v${version}`);
      await runGit(["-c", `protocol.version=${version}`, "clone", "-q", `${open.url}/app.git`, dest]);
      expect(fs.readFileSync(path.join(dest, "apps/web/deployment.yaml"), "utf8")).toBe("kind: Deployment\n");
    }
  });

  it("serves clones with credentials in the URL", async () => {
    const dest = path.join(tmp, "clone-auth");
    await runGit(["clone", "-q", `${withCreds(secured.url)}/app.git`, dest]);
    expect(fs.existsSync(path.join(dest, "apps/web/deployment.yaml"))).toBe(true);
  });

  it("answers 401 with a Basic challenge for missing or wrong credentials", async () => {
    const url = `${secured.url}/app.git/info/refs?service=git-upload-pack`;
    const missing = await fetch(url);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toBe('Basic realm="git"');
    const wrong = await fetch(url, { headers: { Authorization: basic("alice", "nope") } });
    expect(wrong.status).toBe(401);
    const right = await fetch(url, { headers: { Authorization: basic(AUTH.username, AUTH.password) } });
    expect(right.status).toBe(200);
    expect(right.headers.get("content-type")).toBe("application/x-git-upload-pack-advertisement");
  });

  it("rejects a failed CLI clone with wrong credentials", async () => {
    const dest = path.join(tmp, "clone-wrong");
    await expect(runGit(["clone", "-q", `${withCreds(secured.url, "alice", "bad")}/app.git`, dest])).rejects.toThrow(/Authentication failed|401/);
  });

  it("accepts pushes from the git CLI, including large chunked uploads", async () => {
    const dest = path.join(tmp, "clone-push");
    await runGit(["clone", "-q", `${withCreds(secured.url)}/app.git`, dest]);
    fs.writeFileSync(path.join(dest, "README.md"), "# pushed\n");
    // Incompressible data > http.postBuffer (1 MiB) forces a chunked request without Content-Length.
    fs.writeFileSync(path.join(dest, "blob.bin"), randomBytes(3 << 20));
    await runGit([...IDENTITY, "add", "-A"], { cwd: dest });
    await runGit([...IDENTITY, "commit", "-q", "-m", "push over http"], { cwd: dest });
    await runGit(["push", "-q", "origin", "main"], { cwd: dest });
    const local = await runGit(["rev-parse", "HEAD"], { cwd: dest });
    const remote = await runGit([`--git-dir=${path.join(open.root, "app.git")}`, "rev-parse", "main"]);
    expect(remote).toBe(local);
  });

  it("accepts pushes from isomorphic-git", async () => {
    const dir = path.join(tmp, "iso");
    const onAuth = () => AUTH;
    await git.clone({ fs, http: gitHttp, dir, url: `${secured.url}/app.git`, onAuth, singleBranch: true });
    fs.writeFileSync(path.join(dir, "iso.txt"), "from isomorphic-git\n");
    await git.add({ fs, dir, filepath: "iso.txt" });
    const sha = await git.commit({ fs, dir, message: "iso push", author: { name: "Iso", email: "iso@example.com" } });
    const result = await git.push({ fs, http: gitHttp, dir, url: `${secured.url}/app.git`, ref: "main", onAuth });
    expect(result.ok).toBe(true);
    const remote = await runGit([`--git-dir=${path.join(open.root, "app.git")}`, "rev-parse", "main"]);
    expect(remote).toBe(sha);
  });

  it("returns 404 for a repository that does not exist", async () => {
    const res = await fetch(`${open.url}/missing.git/info/refs?service=git-upload-pack`);
    expect(res.status).toBe(404);
  });

  it("rejects `..` segments with 400, encoded or not", async () => {
    expect(await rawGet(open, "/../repos/app.git/info/refs?service=git-upload-pack")).toBe(400);
    expect(await rawGet(open, "/app.git/%2e%2e/%2E%2E/etc/passwd")).toBe(400);
    expect(await rawGet(open, "/a%2f..%2fapp.git/info/refs")).toBe(400);
  });

  it("survives a client that disconnects mid-request", async () => {
    const { hostname, port } = new URL(open.url);
    await new Promise<void>((resolve) => {
      const req = http.request({
        hostname,
        port,
        method: "POST",
        path: "/app.git/git-upload-pack",
        headers: { "Content-Type": "application/x-git-upload-pack-request", "Content-Length": "100000" },
      });
      req.on("error", () => resolve());
      req.write("0032want ");
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 100);
    });
    const res = await fetch(`${open.url}/app.git/info/refs?service=git-upload-pack`);
    expect(res.status).toBe(200);
  });

  it("stop() closes the listener", async () => {
    const server = await startGitServer({ root: open.root });
    await server.stop();
    await expect(fetch(`${server.url}/app.git/info/refs`)).rejects.toThrow();
  });
});

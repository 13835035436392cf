// Issue 14, finding 10 (second half): credentials followed a registry or provider host change, so an
// admin setting could send a stored secret to any host. Now registry credentials of an image policy
// and a repository's token are removed when their host changes, unless new ones come in the same
// request; the answer and the audit log say so. The "new hosts" here are real HTTP servers that ask
// for credentials (401 + WWW-Authenticate, as any host wanting a secret would) and record every
// Authorization header they receive.
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession } from "../../lib/auth/sessions";
import { seal, unseal } from "../../lib/crypto/keyring";
import { providerFor } from "../../lib/changes/provider-for";
import { checkPolicy } from "../../lib/images/automation";
import { addRepository } from "../../lib/repositories/add-repository";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { newTokenHosts } from "../../lib/repositories/credential-hosts";
import { fetchDeps, imageDeps, sealDeps } from "../../server/root";
import { createDemoRepository } from "../../support/demo-repo";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { callRoute } from "../helpers/routes";

type Recorder = { port: number; authorizations: Array<string | null>; close: () => Promise<void> };

/** A host that wants credentials: 401 without them; with them, records and (optionally) proxies to `upstream`. */
async function credentialHungryHost(upstream?: string): Promise<Recorder> {
  const authorizations: Array<string | null> = [];
  const server = http.createServer((req, res) => {
    authorizations.push(req.headers.authorization ?? null);
    if (!req.headers.authorization || !upstream) {
      res.writeHead(401, { "www-authenticate": 'Basic realm="give me your secret"', "content-type": "text/plain" }).end("Unauthorized");
      return;
    }
    const target = new URL(req.url ?? "/", upstream);
    const { authorization: _drop, host: _host, ...headers } = req.headers;
    const forward = http.request(target, { method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(forward);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as AddressInfo).port, authorizations, close: () => new Promise((r) => server.close(() => r())) };
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const recorders: Recorder[] = [];
let git: GitFixtures;
let admin: string;
let bareName: string;

beforeAll(async () => {
  git = await startGitFixtures();
  bareName = `${uniqueName("cfg")}.git`;
  await createDemoRepository(path.join(git.root, bareName));
  admin = (await createSession(prisma(), (await makeUser("admin")).id, 1)).token;
}, 120_000);
afterAll(async () => {
  for (const r of recorders) await r.close();
  await git.stop();
});

const patchRepository = async (id: string, body: unknown) => {
  const res = await callRoute({ file: "repositories/[id]", method: "PATCH", params: { id }, cookie: admin, body });
  return { status: res.status, body: await res.json() };
};
const stored = (id: string) => prisma().repository.findUniqueOrThrow({ where: { id } });

describe("a repository's Git token", () => {
  it("is never sent to a new remote host: refused, re-entered, or removed", async () => {
    const oldToken = git.credentials.password;
    const repo = await addRepository(
      sealDeps(),
      { name: uniqueName("private"), url: `${git.authed.url}/${bareName}`, username: git.credentials.username, token: oldToken },
      null,
    );
    const evil = await credentialHungryHost(git.open.url);
    recorders.push(evil);
    const evilUrl = `http://localhost:${evil.port}/${bareName}`;

    // 1. Only the URL: the new host asks for credentials and gets none, so the change is refused.
    const refused = await patchRepository(repo.id, { url: evilUrl });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toMatch(/^url: .*the stored token is not sent to a new host: give username and token again in the same request/);
    expect(evil.authorizations.length).toBeGreaterThan(0);
    expect(evil.authorizations.every((a) => a === null)).toBe(true);
    expect(unseal((await stored(repo.id)).encryptedToken!)).toBe(oldToken); // nothing changed

    // 2. URL and new credentials in one request: only the new token reaches the new host.
    const moved = await patchRepository(repo.id, { url: evilUrl, username: "ci-bot", token: "token-for-the-new-host" });
    expect(moved.status).toBe(200);
    expect(moved.body.credentialsCleared).toBeNull();
    expect(evil.authorizations).toContain(basic("ci-bot", "token-for-the-new-host"));
    expect(evil.authorizations.some((a) => a !== null && Buffer.from(a.slice(6), "base64").toString().includes(oldToken))).toBe(false);

    // 3. To a public host without credentials: the change is made and the stored token is removed.
    const openUrl = `http://localhost:${new URL(git.open.url).port}/${bareName}`;
    const cleared = await patchRepository(repo.id, { url: openUrl });
    expect(cleared.status).toBe(200);
    expect(cleared.body.credentialsCleared).toMatchObject({
      hosts: [`http://localhost:${new URL(git.open.url).port}`],
      message: expect.stringMatching(/enter the credentials for the new host again/),
    });
    expect(cleared.body.repository).toMatchObject({ url: openUrl, hasToken: false, username: null });
    expect(await stored(repo.id)).toMatchObject({ url: openUrl, encryptedToken: null, username: null });
    const audit = await prisma().auditEvent.findFirstOrThrow({ where: { action: "repository.configure", targetId: repo.id }, orderBy: { at: "desc" } });
    expect(audit.details).toMatchObject({
      credentialsCleared: { hosts: [`http://localhost:${new URL(git.open.url).port}`] },
      before: { hasToken: true },
      after: { hasToken: false, url: openUrl },
    });
    expect(await fetchRepository(fetchDeps(), repo.id)).toMatchObject({ status: "fetched" });
  }, 60_000);
});

describe("a repository's provider token", () => {
  it("is removed when the provider API moves to another host, and only a token given with the move is sent there", async () => {
    const api = await credentialHungryHost();
    recorders.push(api);
    const repo = await prisma().repository.create({
      data: {
        name: uniqueName("gh"),
        url: "https://github.example.test/team/app.git",
        encryptedToken: seal("old-provider-token"),
        provider: "github",
        providerApiUrl: "https://github.example.test/api/v3",
        providerProject: "team/app",
      },
    });
    // Another project on the same API host keeps the token.
    expect(
      (await patchRepository(repo.id, { provider: "github", providerApiUrl: "https://github.example.test/api/v3", providerProject: "team/other" })).body
        .credentialsCleared,
    ).toBeNull();

    const apiUrl = `http://localhost:${api.port}/api/v3`;
    const moved = await patchRepository(repo.id, { provider: "github", providerApiUrl: apiUrl, providerProject: "team/app" });
    expect(moved.status).toBe(200);
    expect(moved.body.credentialsCleared).toMatchObject({ hosts: [`http://localhost:${api.port}`] });
    const after = await stored(repo.id);
    expect(after.encryptedToken).toBeNull();
    expect(() => providerFor(after, unseal)).toThrow(/has no token/);
    expect(api.authorizations).toEqual([]); // nothing was sent to the new host

    const withToken = await patchRepository(repo.id, { provider: "github", providerApiUrl: apiUrl, providerProject: "team/app", token: "new-provider-token" });
    expect(withToken.body.credentialsCleared).toBeNull();
    await providerFor(await stored(repo.id), unseal)!
      .get(1)
      .catch(() => undefined);
    expect(api.authorizations.length).toBeGreaterThan(0);
    expect(api.authorizations.every((a) => a?.includes("new-provider-token"))).toBe(true);
  });

  it("switching to the provider a remote implies keeps the token (api.github.com for github.com, the same host when self-hosted)", () => {
    const base = { name: "r", providerApiUrl: null, providerProject: null };
    expect(
      newTokenHosts({ ...base, url: "https://github.com/a/b.git", provider: "git" }, { ...base, url: "https://github.com/a/b.git", provider: "github" }),
    ).toEqual([]);
    expect(
      newTokenHosts({ ...base, url: "https://git.corp.test/a/b.git", provider: "git" }, { ...base, url: "https://git.corp.test/a/b.git", provider: "gitlab" }),
    ).toEqual([]);
    expect(
      newTokenHosts({ ...base, url: "https://git.corp.test/a/b.git", provider: "git" }, { ...base, url: "http://git.corp.test/a/b.git", provider: "git" }),
    ).toEqual(["http://git.corp.test"]);
    expect(
      newTokenHosts(
        { ...base, url: "https://github.com/a/b.git", provider: "git" },
        { ...base, url: "https://github.com/a/b.git", provider: "github", providerApiUrl: "https://attacker.test/api/v3", providerProject: "a/b" },
      ),
    ).toEqual(["https://attacker.test"]);
  });
});

describe("an image policy's registry credentials", () => {
  it("are removed when the registry host changes, and the new registry is asked without them", async () => {
    const oldRegistry = await credentialHungryHost();
    const newRegistry = await credentialHungryHost();
    recorders.push(oldRegistry, newRegistry);
    const policy = await prisma().imagePolicy.create({
      data: {
        name: uniqueName("creds").toLowerCase(),
        image: `127.0.0.1:${oldRegistry.port}/team/app`,
        username: "robot",
        encryptedPassword: seal("old-registry-password"),
        policy: { type: "semver", range: ">=1.0.0" },
        nextCheckAt: new Date(Date.now() + 3_600_000),
      },
    });
    const patch = async (body: unknown) => {
      const res = await callRoute({ file: "images/policies/[id]", method: "PATCH", params: { id: policy.id }, cookie: admin, body });
      return { status: res.status, body: await res.json() };
    };

    // Another repository on the same registry keeps them.
    expect((await patch({ image: `127.0.0.1:${oldRegistry.port}/team/other` })).body).toMatchObject({
      credentialsCleared: null,
      policy: { hasPassword: true, username: "robot" },
    });

    const moved = await patch({ image: `localhost:${newRegistry.port}/team/app` });
    expect(moved.status).toBe(200);
    expect(moved.body.credentialsCleared).toMatchObject({ from: `http://127.0.0.1:${oldRegistry.port}`, to: `http://localhost:${newRegistry.port}` });
    expect(moved.body.policy).toMatchObject({ hasPassword: false, username: null });
    expect(await prisma().imagePolicy.findUniqueOrThrow({ where: { id: policy.id } })).toMatchObject({ encryptedPassword: null, username: null });
    const audit = await prisma().auditEvent.findFirstOrThrow({ where: { action: "image_policy.update", targetId: policy.id }, orderBy: { at: "desc" } });
    expect(audit.details).toMatchObject({ credentialsCleared: { to: `http://localhost:${newRegistry.port}` } });

    const check = await checkPolicy(imageDeps(), policy.id, { trigger: "manual" });
    expect(check.error?.code).toBe("upstream_auth");
    expect(newRegistry.authorizations.length).toBeGreaterThan(0);
    expect(newRegistry.authorizations.every((a) => a === null)).toBe(true);

    // New credentials in the same request as the move are kept and used.
    const back = await patch({ image: `127.0.0.1:${oldRegistry.port}/team/app`, username: "robot2", password: "given-with-the-move" });
    expect(back.body).toMatchObject({ credentialsCleared: null, policy: { hasPassword: true, username: "robot2" } });
    await checkPolicy(imageDeps(), policy.id, { trigger: "manual" });
    expect(oldRegistry.authorizations).toContain(basic("robot2", "given-with-the-move"));
  });

  it("switching a registry to plain HTTP counts as a new host (the password would travel in clear)", async () => {
    const policy = await prisma().imagePolicy.create({
      data: {
        name: uniqueName("tls").toLowerCase(),
        image: "registry.example.test/team/app",
        username: "robot",
        encryptedPassword: seal("p"),
        policy: { type: "semver", range: ">=1.0.0" },
        nextCheckAt: new Date(Date.now() + 3_600_000),
      },
    });
    const res = await callRoute({ file: "images/policies/[id]", method: "PATCH", params: { id: policy.id }, cookie: admin, body: { insecure: true } });
    expect((await res.json()).credentialsCleared).toMatchObject({ from: "https://registry.example.test", to: "http://registry.example.test" });
  });
});

// No credential reaches the logs: distinct secrets are planted (a repository token, a cluster's
// kubeconfig token, a user's password, a webhook secret, a Secret object's value, the OIDC client
// secret) and driven through the real routes, jobs, Git server, OpenID provider and Kubernetes API
// server, with every line the logger writes captured at trace level. None of them may appear,
// plain or encoded, while the request and job lines that should be there are there.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { parse, stringify } from "yaml";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { setLogDestination, setLogLevel } from "../../lib/log/logger";
import { kubeRequest } from "../../lib/kube/transport";
import { createApplication, createEnvironment } from "../../lib/environments/manage-environments";
import { env } from "../../lib/env";
import { startGitServer, type GitServer } from "../../support/git-server";
import { commitFile, createDemoRepository } from "../../support/demo-repo";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { routeModule } from "../helpers/routes";
import { adminClient, createNamespace, eventually, testbedKubeconfig } from "../helpers/testbed";
import { startTestWorker, stopTestWorker, waitForJobsIdle } from "../helpers/worker";
import { githubPayload, gitlabPayload, signedDelivery } from "../webhooks/senders";

const planted = (what: string) => `${what}${randomBytes(12).toString("hex")}`;
const SECRETS = {
  repositoryToken: planted("RepoTok"),
  urlToken: planted("UrlTok"),
  kubeToken: "", // a real ServiceAccount token, issued below
  password: planted("Passw"),
  wrongPassword: planted("Wrong"),
  webhookSecret: planted("HookSecret"),
  secretValue: planted("SecretVal"),
  oidcClientSecret: planted("OidcSecret"),
};

const lines: string[] = [];
let git: GitServer;
let gitRoot: string;
let oidc: Server;
let issuer = "";
let tokenRequestsWithSecret = 0;

beforeAll(async () => {
  // A real OpenID provider's contract (discovery, JWKS, token endpoint that checks the client secret).
  const pair = await generateKeyPair("RS256");
  const signingKey: CryptoKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  let nonce = "";
  oidc = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === "/.well-known/openid-configuration") {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        code_challenge_methods_supported: ["S256"],
      });
    }
    if (url.pathname === "/jwks") return json(200, { keys: [jwk] });
    if (url.pathname === "/authorize") {
      nonce = url.searchParams.get("nonce") ?? "";
      return json(200, {});
    }
    if (url.pathname === "/token") {
      let body = "";
      for await (const chunk of req) body += chunk;
      const basic = Buffer.from((req.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString();
      if (
        new URLSearchParams(body).get("client_secret") !== SECRETS.oidcClientSecret &&
        decodeURIComponent(basic.split(":")[1] ?? "") !== SECRETS.oidcClientSecret
      )
        return json(401, { error: "invalid_client" });
      tokenRequestsWithSecret += 1;
      const now = Math.floor(Date.now() / 1000);
      const idToken = await new SignJWT({ nonce, groups: ["devs"], preferred_username: "sso-logs-user" })
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .setIssuer(issuer)
        .setAudience("tideline")
        .setSubject("sso-logs-user")
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(signingKey);
      return json(200, { access_token: planted("At"), token_type: "Bearer", expires_in: 600, id_token: idToken });
    }
    json(404, {});
  });
  await new Promise<void>((r) => oidc.listen(0, "127.0.0.1", r));
  issuer = `http://127.0.0.1:${(oidc.address() as AddressInfo).port}`;
  // Before anything reads the configuration (env() is read once per process).
  Object.assign(process.env, {
    TIDELINE_OIDC_ISSUER: issuer,
    TIDELINE_OIDC_CLIENT_ID: "tideline",
    TIDELINE_OIDC_CLIENT_SECRET: SECRETS.oidcClientSecret,
    TIDELINE_OIDC_ROLE_MAP: "devs=developer",
  });

  gitRoot = mkdtempSync(path.join(os.tmpdir(), "tideline-logs-git-"));
  git = await startGitServer({ root: gitRoot, auth: { username: "ci-bot", password: SECRETS.repositoryToken } });
  setLogDestination({ write: (line: string) => void lines.push(line) });
  setLogLevel("trace");
  await startTestWorker();
});

afterAll(async () => {
  await stopTestWorker();
  setLogDestination(null);
  setLogLevel("warn");
  await git.stop();
  await new Promise<void>((r) => oidc.close(() => r()));
  rmSync(gitRoot, { recursive: true, force: true });
});

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
async function call(
  file: string,
  method: "GET" | "POST",
  opts: { url?: string; params?: Record<string, string>; headers?: Record<string, string>; body?: unknown; raw?: string } = {},
) {
  const handler = (await routeModule(file))[method] as Handler;
  const headers = { ...(opts.body !== undefined ? { "content-type": "application/json" } : {}), ...opts.headers };
  const req = new NextRequest(new URL(opts.url ?? `/api/${file}`, "http://tideline.test"), {
    method,
    headers,
    body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
  });
  return handler(req, { params: Promise.resolve(opts.params ?? {}) });
}

/** A ServiceAccount bound to cluster-admin and a token for it: the kubeconfig credential to plant. */
async function serviceAccountKubeconfig(): Promise<{ kubeconfig: string; context: string }> {
  const ns = uniqueName("logs-sa").toLowerCase();
  const client = adminClient();
  await createNamespace(client, ns);
  await kubeRequest(client, "POST", `/api/v1/namespaces/${ns}/serviceaccounts`, {
    body: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "deployer" } },
  });
  await kubeRequest(client, "POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
    body: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: ns },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ kind: "ServiceAccount", name: "deployer", namespace: ns }],
    },
  });
  const issued = await kubeRequest<{ status: { token: string } }>(client, "POST", `/api/v1/namespaces/${ns}/serviceaccounts/deployer/token`, {
    body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 3600 } },
  });
  SECRETS.kubeToken = issued.status.token;
  const admin = parse(testbedKubeconfig("admin"));
  const context = admin["current-context"] as string;
  const kc = {
    ...admin,
    users: [{ name: "deployer", user: { token: SECRETS.kubeToken } }],
    contexts: admin.contexts.map((c: { name: string; context: object }) => ({ ...c, context: { ...c.context, user: "deployer" } })),
  };
  return { kubeconfig: stringify(kc), context };
}

it("logs requests and jobs with their ids, and none of the planted secrets in any form", async () => {
  // Sign in: a wrong password, then the right one.
  const admin = await makeUser("admin", SECRETS.password);
  expect((await call("auth/login", "POST", { body: { username: admin.username, password: SECRETS.wrongPassword } })).status).toBe(401);
  const signedIn = await call("auth/login", "POST", {
    body: { username: admin.username, password: SECRETS.password },
    headers: { "x-request-id": "logs-test-login" },
  });
  expect(signedIn.status).toBe(200);
  expect(signedIn.headers.get("x-request-id")).toBe("logs-test-login");
  const cookie = signedIn.headers.get("set-cookie")!.split(";")[0]!;
  const as = { cookie };

  // Register a repository with a token, one with the token in its URL, and fetch.
  const bare = path.join(gitRoot, `${uniqueName("cfg")}.git`);
  await createDemoRepository(bare);
  const url = `${git.url}/${path.basename(bare)}`;
  const added = await call("repositories", "POST", {
    headers: { ...as, "x-request-id": "logs-test-add-repo" },
    body: { name: uniqueName("config"), url, username: "ci-bot", token: SECRETS.repositoryToken },
  });
  expect(added.status).toBe(201);
  const repo = ((await added.json()) as { repository: { id: string } }).repository;
  const withUrlToken = await call("repositories", "POST", {
    headers: as,
    body: { name: uniqueName("urltok"), url: url.replace("://", `://ci-bot:${SECRETS.urlToken}@`) },
  });
  expect(withUrlToken.status).toBeGreaterThanOrEqual(400);
  const wrongToken = await call("repositories", "POST", {
    headers: as,
    body: { name: uniqueName("wrongtok"), url, username: "ci-bot", token: SECRETS.urlToken },
  });
  expect(wrongToken.status).toBeGreaterThanOrEqual(400);
  expect((await call("repositories/[id]/fetch", "POST", { params: { id: repo.id }, headers: as })).status).toBe(202);
  await waitForJobsIdle("repository.fetch", repo.id);

  // Register the cluster with a ServiceAccount token; one with a bogus token is refused.
  const { kubeconfig, context } = await serviceAccountKubeconfig();
  const registered = await call("clusters", "POST", {
    headers: as,
    body: { source: "kubeconfig", name: uniqueName("logs").toLowerCase(), kubeconfig, context },
  });
  expect(registered.status).toBe(201);
  const cluster = ((await registered.json()) as { cluster: { id: string; status: string } }).cluster;
  expect(cluster.status).toBe("connected");
  const bogus = kubeconfig.replace(SECRETS.kubeToken, `${SECRETS.urlToken}x`);
  await call("clusters", "POST", { headers: as, body: { source: "kubeconfig", name: uniqueName("bogus").toLowerCase(), kubeconfig: bogus, context } });

  // A webhook secret, then a push with a Secret object, delivered signed (GitHub) and with the token header (GitLab), and once badly signed.
  const hook = await call("repositories/[id]/webhook-secret", "POST", { params: { id: repo.id }, headers: as, body: { secret: SECRETS.webhookSecret } });
  expect(hook.status).toBe(200);
  const ns = uniqueName("logs").toLowerCase();
  const sha = await commitFile(bare, {
    branch: "main",
    path: `logs/${ns}/secret.yaml`,
    content: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: ${SECRETS.secretValue}\n`,
    message: "db secret",
  });
  const deliver = async (d: { headers: Record<string, string>; body: string }) =>
    call("webhooks/git/[repositoryId]", "POST", { params: { repositoryId: repo.id }, url: `/api/webhooks/git/${repo.id}`, headers: d.headers, raw: d.body });
  expect((await deliver(signedDelivery("github", SECRETS.webhookSecret, githubPayload({ url, after: sha })))).status).toBeLessThan(300);
  expect((await deliver(signedDelivery("gitlab", SECRETS.webhookSecret, gitlabPayload({ url, after: sha })))).status).toBeLessThan(300);
  expect((await deliver(signedDelivery("github", `${SECRETS.webhookSecret}-old`, githubPayload({ url, after: sha })))).status).toBe(401);
  await waitForJobsIdle("repository.fetch", repo.id);
  await eventually(
    () => prisma().repository.findUniqueOrThrow({ where: { id: repo.id } }),
    (r) => r.status === "ready",
  );

  // An environment with the Secret, synced through the API and the job engine onto the test bed.
  const app = await createApplication(prisma(), { name: uniqueName("app").toLowerCase() });
  const environment = await createEnvironment(prisma(), env().mirrorsDir, app.id, {
    name: ns,
    path: `logs/${ns}`,
    namespace: ns,
    branch: "main",
    repositoryId: repo.id,
    clusterId: cluster.id,
    renderer: "auto",
    helmValuesFiles: [],
  });
  const sync = await call("environments/[id]/sync", "POST", { params: { id: environment.id }, headers: as, body: {} });
  expect(sync.status).toBe(202);
  const { runId } = (await sync.json()) as { runId: string };
  const run = await eventually(
    () => prisma().syncRun.findUniqueOrThrow({ where: { id: runId } }),
    (r) => r.status !== "running" && r.status !== "queued",
    30_000,
  );
  expect(run.status).toBe("succeeded");
  const live = await kubeRequest<{ data: Record<string, string> }>(adminClient(), "GET", `/api/v1/namespaces/${ns}/secrets/db`);
  expect(Buffer.from(live.data.password!, "base64").toString()).toBe(SECRETS.secretValue);

  // Single sign-on: the client secret goes to the provider's token endpoint.
  const start = await call("auth/oidc/login", "GET");
  expect(start.status).toBe(302);
  const location = new URL(start.headers.get("location")!);
  await fetch(location);
  const stateCookie = start.headers.get("set-cookie")!.split(";")[0]!;
  const back = await call("auth/oidc/callback", "GET", {
    url: `/api/auth/oidc/callback?code=abc&state=${location.searchParams.get("state")}&iss=${encodeURIComponent(issuer)}`,
    headers: { cookie: stateCookie },
  });
  expect(back.status).toBe(303);
  expect(back.headers.get("location")).toBe("/");
  expect(tokenRequestsWithSecret).toBe(1);
  await waitForJobsIdle("environment.work", environment.id);

  // What was logged: request lines with ids, job lines with ids, and no secret in any encoding.
  const all = lines.join("");
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(parsed.find((l) => l.requestId === "logs-test-add-repo" && l.msg === "request")).toMatchObject({
    method: "POST",
    route: "/api/repositories",
    status: 201,
  });
  expect(parsed.find((l) => l.requestId === "logs-test-login" && l.msg === "request")).toMatchObject({ route: "/api/auth/login", status: 200 });
  expect(parsed.some((l) => l.msg === "request" && l.route === "/api/webhooks/git/[repositoryId]" && l.status === 401)).toBe(true);
  expect(parsed.some((l) => l.msg === "job done" && l.queue === "repository.fetch" && l.repositoryId === repo.id && typeof l.jobId === "string")).toBe(true);
  expect(parsed.some((l) => l.msg === "job done" && l.queue === "environment.work" && l.environmentId === environment.id && typeof l.jobId === "string")).toBe(
    true,
  );
  for (const [name, value] of Object.entries(SECRETS)) {
    expect(value.length, name).toBeGreaterThan(16);
    const forms = [
      value,
      Buffer.from(value).toString("base64"),
      Buffer.from(value).toString("base64url"),
      encodeURIComponent(value),
      Buffer.from(`ci-bot:${value}`).toString("base64"),
    ];
    for (const form of forms) expect(all.includes(form), `${name} appears in the logs (${form.slice(0, 12)}...)`).toBe(false);
  }
});

// Issue 14, finding 1: a kubeconfig is user input. Its exec plugin must not run unless the operator
// allowed that exact command, its file fields must not make the server read local files, and
// proxy-url / http:// must not send credentials elsewhere. Against the real API routes, Postgres
// and the test bed's kube-apiserver.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { createSession } from "../../lib/auth/sessions";
import { checkCluster } from "../../lib/clusters/manage-clusters";
import { seal } from "../../lib/crypto/keyring";
import { clientFromKubeconfig, kubeRequest } from "../../lib/kube/transport";
import type { KubeconfigPolicy } from "../../lib/kube/kubeconfig-policy";
import { clusterDeps } from "../../server/root";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { callRoute } from "../helpers/routes";
import { testbedKubeconfig } from "../helpers/testbed";

let dir = "";
let cookie = "";
let http: Server;
let httpUrl = "";
const hits: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "tideline-kc-sec-"));
  cookie = (await createSession(prisma(), (await makeUser("admin")).id, 1)).token;
  // A server a hostile kubeconfig would send credentials or files to: it must never be reached.
  http = createServer((req, res) => {
    hits.push(`${req.method} ${req.url} auth=${req.headers.authorization ?? ""}`);
    res.end("{}");
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  httpUrl = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
});
afterAll(() => {
  http.close();
  rmSync(dir, { recursive: true, force: true });
});

type Doc = {
  clusters: Array<{ name: string; cluster: Record<string, unknown> }>;
  users: Array<{ name: string; user: Record<string, unknown> }>;
  "current-context": string;
};
function edited(change: (doc: Doc) => void): string {
  const doc = parse(testbedKubeconfig("admin")) as Doc;
  change(doc);
  return stringify(doc);
}

/** A shell script that leaves a marker when it runs, then prints the test bed admin's credentials. */
function plugin(name: string, extra = ""): { command: string; marker: string } {
  const doc = parse(testbedKubeconfig("admin")) as Doc;
  const u = doc.users[0]!.user;
  const credential = JSON.stringify({
    apiVersion: "client.authentication.k8s.io/v1",
    kind: "ExecCredential",
    status: {
      clientCertificateData: Buffer.from(u["client-certificate-data"] as string, "base64").toString(),
      clientKeyData: Buffer.from(u["client-key-data"] as string, "base64").toString(),
    },
  });
  const marker = path.join(dir, `${name}.ran`);
  const command = path.join(dir, `${name}.sh`);
  writeFileSync(command, `#!/bin/sh\nenv > '${marker}'\n${extra}\ncat <<'JSON'\n${credential}\nJSON\n`);
  chmodSync(command, 0o755);
  return { command, marker };
}

const withExec = (command: string, args: string[] = [], env?: Array<{ name: string; value: string }>) =>
  edited(
    (d) => (d.users[0]!.user = { exec: { apiVersion: "client.authentication.k8s.io/v1", command, args, ...(env ? { env } : {}), interactiveMode: "Never" } }),
  );

async function registerViaApi(kubeconfig: string) {
  const before = await prisma().cluster.count();
  const res = await callRoute({
    file: "clusters",
    method: "POST",
    cookie,
    body: { source: "kubeconfig", name: uniqueName("sec").toLowerCase(), kubeconfig, context: (parse(kubeconfig) as Doc)["current-context"] },
  });
  const body = (await res.json()) as { error?: { message: string; field?: string; kubeconfigField?: string } };
  return { status: res.status, error: body.error, stored: (await prisma().cluster.count()) - before };
}

describe("kubeconfig exec plugins", () => {
  it("refuses an exec plugin by default with 422 naming the field, and the command never runs", async () => {
    const marker = path.join(dir, "shell.ran");
    const r = await registerViaApi(withExec("/bin/sh", ["-c", `touch '${marker}'; echo '{}'`]));
    expect(r.status).toBe(422);
    expect(r.error?.kubeconfigField).toBe('users["tideline-admin"].user.exec.command');
    expect(r.error?.message).toContain('exec credential plugin "/bin/sh"');
    expect(r.error?.message).toContain("TIDELINE_KUBECONFIG_EXEC_ALLOWLIST");
    expect(r.stored).toBe(0);
    // Give a spawned shell time to have written its marker, had it been spawned.
    await new Promise((res) => setTimeout(res, 300));
    expect(existsSync(marker)).toBe(false);
  });

  it("does not run the plugin of a kubeconfig stored before the policy, when its connection is checked", async () => {
    const { command, marker } = plugin("stored");
    const cluster = await prisma().cluster.create({
      data: {
        name: uniqueName("old").toLowerCase(),
        server: "https://127.0.0.1:1",
        contextName: "x",
        inCluster: false,
        encryptedKubeconfig: seal(withExec(command)),
        defaultNamespace: "default",
      },
    });
    await expect(checkCluster(clusterDeps(), cluster.id)).rejects.toMatchObject({
      code: "invalid",
      details: { kubeconfigField: expect.stringContaining("exec.command") },
    });
    await new Promise((res) => setTimeout(res, 300));
    expect(existsSync(marker)).toBe(false);
  });

  it("runs an allowed plugin with only PATH, HOME and its own env entries, and connects", async () => {
    const { command, marker } = plugin("allowed");
    const policy: KubeconfigPolicy = { execAllowlist: [command], execTimeoutMs: 5_000, allowHttp: false };
    expect(process.env.TIDELINE_SECRET_KEY).toBeTruthy(); // the server's secret is in this process...
    const client = clientFromKubeconfig("exec-allowed", withExec(command, [], [{ name: "AWS_PROFILE", value: "prod" }]), policy);
    const version = await kubeRequest<{ gitVersion: string }>(client, "GET", "/version");
    expect(version.gitVersion).toMatch(/^v1\./);
    const seen = Object.fromEntries(
      readFileSync(marker, "utf8")
        .trim()
        .split("\n")
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    // ...and not in the plugin's: the shell adds only PWD (and SHLVL/_ on some shells) itself.
    const shellOwn = new Set(["PWD", "SHLVL", "_", "OLDPWD"]);
    expect(
      Object.keys(seen)
        .filter((k) => !shellOwn.has(k))
        .sort(),
    ).toEqual(["AWS_PROFILE", "HOME", "PATH"]);
    expect(seen.AWS_PROFILE).toBe("prod");
  });

  it("kills an allowed plugin that does not answer in time", async () => {
    const { command } = plugin("slow", "sleep 30");
    const policy: KubeconfigPolicy = { execAllowlist: [command], execTimeoutMs: 500, allowHttp: false };
    const client = clientFromKubeconfig("exec-slow", withExec(command), policy);
    const started = Date.now();
    await expect(kubeRequest(client, "GET", "/version")).rejects.toThrow(/did not answer within 0.5 s/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("matches the allow-list exactly and refuses loader variables in the plugin's env", async () => {
    const { command, marker } = plugin("lookalike");
    const policy: KubeconfigPolicy = { execAllowlist: ["lookalike.sh"], execTimeoutMs: 5_000, allowHttp: false };
    expect(() => clientFromKubeconfig("exec-path", withExec(command), policy)).toThrow(/has not allowed/);
    const allowed: KubeconfigPolicy = { ...policy, execAllowlist: [command] };
    expect(() => clientFromKubeconfig("exec-preload", withExec(command, [], [{ name: "LD_PRELOAD", value: "/tmp/evil.so" }]), allowed)).toThrow(
      /may not set LD_PRELOAD/,
    );
    expect(existsSync(marker)).toBe(false);
  });
});

describe("kubeconfig fields that reach files, proxies and plain http", () => {
  it.each([
    ["token-file", (d: Doc) => (d.users[0]!.user = { "token-file": "/etc/hostname" }), 'users["tideline-admin"].user.token-file'],
    ["tokenFile", (d: Doc) => (d.users[0]!.user = { tokenFile: "/etc/hostname" }), 'users["tideline-admin"].user.tokenFile'],
    [
      "client-key",
      (d: Doc) => (d.users[0]!.user = { "client-certificate-data": d.users[0]!.user["client-certificate-data"], "client-key": "/etc/ssl/private/server.key" }),
      'users["tideline-admin"].user.client-key',
    ],
    [
      "client-certificate",
      (d: Doc) => (d.users[0]!.user = { "client-certificate": "/etc/passwd", "client-key-data": "eA==" }),
      'users["tideline-admin"].user.client-certificate',
    ],
    [
      "certificate-authority",
      (d: Doc) => (d.clusters[0]!.cluster = { server: d.clusters[0]!.cluster.server, "certificate-authority": "/etc/passwd" }),
      'clusters["testbed"].cluster.certificate-authority',
    ],
    [
      "auth-provider tokenFile",
      (d: Doc) => (d.users[0]!.user = { "auth-provider": { name: "x", config: { tokenFile: "/etc/hostname" } } }),
      'users["tideline-admin"].user.auth-provider',
    ],
    ["proxy-url", (d: Doc) => (d.clusters[0]!.cluster["proxy-url"] = httpUrl), 'clusters["testbed"].cluster.proxy-url'],
  ])("refuses %s with 422 naming the field, and sends nothing anywhere", async (_name, change, field) => {
    const kubeconfig = edited((d) => {
      change(d);
      // Wherever a request would go, it would go to our listener.
      if (!d.clusters[0]!.cluster["proxy-url"]) d.clusters[0]!.cluster.server = httpUrl.replace("http:", "https:");
    });
    const r = await registerViaApi(kubeconfig);
    expect(r.status).toBe(422);
    expect(r.error?.kubeconfigField).toBe(field);
    expect(r.stored).toBe(0);
    expect(hits).toEqual([]);
  });

  it("refuses a plain http:// server unless the operator allows it", async () => {
    const kubeconfig = edited((d) => (d.clusters[0]!.cluster = { server: httpUrl }));
    const r = await registerViaApi(kubeconfig);
    expect(r.status).toBe(422);
    expect(r.error?.kubeconfigField).toMatch(/cluster\.server$/);
    expect(r.error?.message).toContain("TIDELINE_KUBECONFIG_ALLOW_HTTP");
    expect(hits).toEqual([]);
    // With the operator's permission the same kubeconfig loads (and would talk to that server).
    expect(() => clientFromKubeconfig("plain", kubeconfig, { execAllowlist: [], execTimeoutMs: 1000, allowHttp: true })).not.toThrow();
  });
});

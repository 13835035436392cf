// The `tideline` CLI as a child process against a running Tideline API (real route handlers over
// HTTP, real Postgres): signing in with a password or a token, the config file (0600, a token and
// never the password), contexts, API tokens, --help on every command, and what bad input prints.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Command } from "commander";
import { buildProgram } from "../../cli/program";
import { createApiToken } from "../../lib/auth/api-tokens";
import { PERMISSIONS, can } from "../../lib/auth/roles";
import { makeUser, prisma } from "../helpers/db";
import { startApiServer, type ApiServer } from "../../support/api-server";
import { buildCli, cliHome, runCli, type CliHome } from "../helpers/cli";

let api: ApiServer;
let dev: Awaited<ReturnType<typeof makeUser>>;
let viewer: Awaited<ReturnType<typeof makeUser>>;
const homes: CliHome[] = [];
const home = () => {
  const h = cliHome();
  homes.push(h);
  return h;
};

beforeAll(async () => {
  buildCli();
  api = await startApiServer();
  dev = await makeUser("developer", "dev password 123");
  viewer = await makeUser("viewer", "viewer password 123");
});
afterAll(async () => {
  await api?.stop();
  for (const h of homes) h.remove();
});

/** A port nothing listens on (one the kernel just handed out and we closed again). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const config = (h: CliHome) =>
  JSON.parse(readFileSync(h.config, "utf8")) as {
    current?: string;
    contexts: Array<{ name: string; server: string; token: string; username?: string; tokenId?: string }>;
  };

describe("login with username and password", () => {
  it("stores a fresh API token (not the password) in a 0600 config file and prints neither", async () => {
    const h = home();
    const r = await h.run(["login", api.url, "-u", dev.username, "--password-stdin"], { input: `${dev.password}\n` });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const host = new URL(api.url).host;
    expect(r.stdout).toContain(`Logged in to ${api.url} as ${dev.username} (context "${host}"`);
    expect(statSync(h.config).mode & 0o777).toBe(0o600);
    expect(statSync(h.config.replace(/config\.json$/, "")).mode & 0o077).toBe(0);
    const raw = readFileSync(h.config, "utf8");
    expect(raw).not.toContain(dev.password);
    const cfg = config(h);
    expect(cfg.current).toBe(host);
    const ctx = cfg.contexts[0]!;
    expect(ctx).toMatchObject({ name: host, server: api.url, username: dev.username });
    expect(ctx.token).toMatch(/^tl_/);
    expect(r.stdout).not.toContain(ctx.token);
    expect(r.stdout + r.stderr).not.toContain(dev.password);

    // On the server: one token for this user, with every action a developer may take, and the sign-in session closed again.
    const token = await prisma().apiToken.findUniqueOrThrow({ where: { id: ctx.tokenId! } });
    expect(token.userId).toBe(dev.id);
    expect(token.name).toMatch(/^tideline-cli /);
    expect([...token.scopes].sort()).toEqual(
      Object.keys(PERMISSIONS)
        .filter((a) => can("developer", a as keyof typeof PERMISSIONS))
        .sort(),
    );
    expect(await prisma().session.count({ where: { userId: dev.id } })).toBe(0);

    const who = await h.run(["whoami", "-o", "json"]);
    expect(who.code).toBe(0);
    expect(JSON.parse(who.stdout)).toMatchObject({ username: dev.username, role: "developer" });
  });

  it("a wrong password ends with exit 3 and the server's reason; nothing is saved", async () => {
    const h = home();
    const r = await h.run(["login", api.url, "-u", dev.username, "--password-stdin"], { input: "not it\n" });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: .*(password|credentials)/im);
    expect(r.stdout).toBe("");
    expect(() => statSync(h.config)).toThrow();
  });

  it("without a terminal and without --password-stdin it says what is missing (exit 2)", async () => {
    const r = await home().run(["login", api.url, "-u", dev.username]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: Password is needed and stdin is not a terminal");
  });
});

describe("token login and contexts", () => {
  let h: CliHome;
  let viewerToken: string;
  beforeAll(async () => {
    h = home();
    viewerToken = (await createApiToken(prisma(), viewer, { name: "from the UI", scopes: ["application.read", "repository.read"], expiresInDays: 5 })).token;
    expect((await h.run(["login", api.url, "-u", dev.username, "--password-stdin", "--name", "dev"], { input: dev.password })).code).toBe(0);
    const r = await h.run(["login", api.url, "--token", viewerToken, "--name", "sso"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain(`as ${viewer.username} (context "sso"`);
  });

  it("keeps the UI's token as given, makes the new context current, and lists both", async () => {
    const cfg = config(h);
    expect(cfg.current).toBe("sso");
    expect(cfg.contexts.find((c) => c.name === "sso")).toMatchObject({ token: viewerToken, username: viewer.username });
    const list = await h.run(["context", "list"]);
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^CURRENT\s+NAME\s+SERVER\s+USER\s+EXPIRES$/);
    expect(lines.find((l) => l.includes(" sso "))).toMatch(/^\*\s+sso\s+http:\/\/127\.0\.0\.1:\d+\s+viewer-/);
    expect(lines.find((l) => l.includes(" dev "))).toMatch(/^\s+dev\s+/);
    expect(list.stdout).not.toContain(viewerToken);
  });

  it("switches with `context use`, and --context / TIDELINE_CONTEXT pick one for a single command", async () => {
    expect(JSON.parse((await h.run(["whoami", "-o", "json"])).stdout).username).toBe(viewer.username);
    expect(JSON.parse((await h.run(["whoami", "-o", "json", "--context", "dev"])).stdout).username).toBe(dev.username);
    expect(JSON.parse((await h.run(["whoami", "-o", "json"], { env: { TIDELINE_CONTEXT: "dev" } })).stdout).username).toBe(dev.username);
    const use = await h.run(["context", "use", "dev"]);
    expect(use.code).toBe(0);
    expect(config(h).current).toBe("dev");
    expect(JSON.parse((await h.run(["whoami", "-o", "json"])).stdout).username).toBe(dev.username);
  });

  it("--token-stdin reads the token from stdin (not the command line); an empty one is refused", async () => {
    const other = home();
    const r = await other.run(["login", api.url, "--token-stdin"], { input: `${viewerToken}\n` });
    expect(r.code, r.stderr).toBe(0);
    expect(config(other).contexts[0]).toMatchObject({ token: viewerToken, username: viewer.username });
    const empty = await home().run(["login", api.url, "--token-stdin"], { input: "\n" });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe("error: The API token read from stdin is empty\n");
  });

  it("names the unknown context and the known ones (exit 2)", async () => {
    const r = await h.run(["context", "use", "staging"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: No context named "staging"\n  known: dev, sso\n');
    const w = await h.run(["whoami", "--context", "staging"]);
    expect(w.code).toBe(2);
    expect(w.stderr).toContain('No context named "staging"');
  });

  it("a token's scopes hold: the UI token reads repositories but not clusters (exit 3, the scope named)", async () => {
    const repos = await h.run(["repo", "list", "--context", "sso", "-o", "json"]);
    expect(repos.code).toBe(0);
    expect(Array.isArray(JSON.parse(repos.stdout))).toBe(true);
    const clusters = await h.run(["cluster", "list", "--context", "sso"]);
    expect(clusters.code).toBe(3);
    expect(clusters.stderr).toContain("This API token's scopes do not include cluster.read");
  });

  it("logout revokes the CLI's own token on the server and forgets the context", async () => {
    const before = config(h).contexts.find((c) => c.name === "dev")!;
    const r = await h.run(["logout", "dev"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('context "dev"); token revoked');
    expect((await prisma().apiToken.findUniqueOrThrow({ where: { id: before.tokenId! } })).revokedAt).not.toBeNull();
    expect(config(h).contexts.map((c) => c.name)).toEqual(["sso"]);
    // The old token no longer works for anything.
    const again = await runCli(["whoami"], { env: { TIDELINE_SERVER: api.url, TIDELINE_TOKEN: before.token, HOME: h.dir, TIDELINE_CONFIG: h.config } });
    expect(again.code).toBe(3);
    expect(again.stderr).toBe("error: The API token is invalid, expired or revoked\n");
  });
});

describe("tokens for CI", () => {
  it("token create prints the token once; TIDELINE_SERVER + TIDELINE_TOKEN use it with no config file", async () => {
    const h = home();
    await h.run(["login", api.url, "-u", dev.username, "--password-stdin"], { input: dev.password });
    const r = await h.run(
      ["token", "create", "ci-deploy", "--scopes", "application.read,environment.sync", "--expires-in", "7", "--password-stdin", "-o", "json"],
      { input: dev.password },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { token: string; apiToken: { id: string; scopes: string[]; expiresAt: string } };
    expect(out.token).toMatch(/^tl_/);
    expect(out.apiToken.scopes).toEqual(["application.read", "environment.sync"]);
    const stored = await prisma().apiToken.findUniqueOrThrow({ where: { id: out.apiToken.id } });
    expect(stored).toMatchObject({ userId: dev.id, name: "ci-deploy" });
    expect(Math.round((stored.expiresAt.getTime() - Date.now()) / 86400_000)).toBe(7);
    // The token is not written to the config file: it is for CI, shown once.
    expect(readFileSync(h.config, "utf8")).not.toContain(out.token);

    const ci = await runCli(["app", "list", "-o", "json"], { env: { TIDELINE_SERVER: api.url, TIDELINE_TOKEN: out.token } });
    expect(ci.stderr).toBe("");
    expect(ci.code).toBe(0);
    expect(Array.isArray(JSON.parse(ci.stdout))).toBe(true);
    const listed = await h.run(["token", "list"]);
    expect(listed.stdout).toMatch(/ci-deploy\s+tl_/);
    expect(listed.stdout).not.toContain(out.token);
  });

  it("a scope the role does not allow is refused by the server, naming it (exit 2)", async () => {
    const h = home();
    await h.run(["login", api.url, "-u", viewer.username, "--password-stdin"], { input: viewer.password });
    const r = await h.run(["token", "create", "too-much", "--scopes", "cluster.manage", "--password-stdin"], { input: viewer.password });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Your role (viewer) does not allow: cluster.manage");
    expect(r.stdout).toBe("");
  });
});

describe("usage and errors", () => {
  const commands = (cmd: Command, prefix: string[] = []): string[][] =>
    cmd.commands.flatMap((c) => {
      const here = [...prefix, c.name()];
      return [here, ...commands(c, here)];
    });

  it("--help works on every command, with a description and usage line", async () => {
    const all = commands(buildProgram());
    expect(all.length).toBeGreaterThan(30);
    for (const path of [[], ...all]) {
      const r = await runCli([...path, "--help"]);
      expect({ path: path.join(" "), code: r.code, stderr: r.stderr }).toEqual({ path: path.join(" "), code: 0, stderr: "" });
      // Commands with an alias show it in the usage line: "tideline app list|ls [options]".
      expect(r.stdout).toMatch(new RegExp(`^Usage: tideline${path.length ? ` ${path.join(" ")}` : ""}(\\|\\w+)? `));
      expect(r.stdout.split("\n").slice(1).join("\n").trim().length).toBeGreaterThan(20);
    }
    const top = await runCli(["--help"]);
    expect(top.stdout).toContain("Exit codes:");
  }, 120_000);

  it("bad arguments name what is wrong (exit 2)", async () => {
    const cases: Array<[string[], string]> = [
      [["sync"], "error: missing required argument 'env'"],
      [["app", "list", "-o", "xml"], "error: option '-o, --output <format>' argument 'xml' is invalid. Allowed choices are table, json, yaml."],
      [
        ["sync", "a/b", "--wait", "--timeout", "soon"],
        "error: option '--timeout <duration>' argument 'soon' is invalid. \"soon\" is not a duration (e.g. 30s, 5m, 1h)",
      ],
      [["rollback", "a/b"], "error: required option '--to <sync>' not specified"],
      [["hold", "a/b"], "error: required option '--reason <text>' not specified"],
      [["snyc", "a/b"], "error: unknown command 'snyc'\n(Did you mean sync?)"],
      [["login", "http://user:pw@example.com"], "error: Put no credentials in the server URL; use `tideline login`"],
    ];
    for (const [args, message] of cases) {
      const r = await home().run(args);
      expect({ args, code: r.code, stderr: r.stderr.trim() }).toEqual({ args, code: 2, stderr: message });
    }
  });

  it("not logged in is exit 3 with what to do; an unreachable server is exit 1 naming it", async () => {
    const r = await home().run(["app", "list"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("error: Not logged in: run `tideline login <server>` (or set TIDELINE_SERVER and TIDELINE_TOKEN)\n");
    const port = await closedPort();
    const down = await runCli(["app", "list"], { env: { TIDELINE_SERVER: `http://127.0.0.1:${port}`, TIDELINE_TOKEN: "tl_x" } });
    expect(down.code).toBe(1);
    expect(down.stderr).toBe(`error: Cannot reach Tideline at http://127.0.0.1:${port}: ECONNREFUSED\n`);
  });

  it("a broken config file is named, not a stack trace", async () => {
    const h = home();
    await h.run(["login", api.url, "-u", dev.username, "--password-stdin"], { input: dev.password });
    writeFileSync(h.config, "{ not json");
    const r = await h.run(["app", "list"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: The config file ${h.config.replace(/[.]/g, "\\.")} is not valid JSON .*; fix or delete it\n$`));
  });

  it("runs from the TypeScript sources too (no bundle: the tsx fallback)", async () => {
    const r = await runCli(["--version"], { env: { TIDELINE_CLI_FROM_SOURCE: "1" } });
    expect(r).toMatchObject({ code: 0, stdout: "0.1.0\n" });
  });
});

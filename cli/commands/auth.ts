// Signing in and choosing a server: `login` (password -> a fresh API token, or a token made in the
// UI for SSO users), `logout`, and `context list|use|delete` for several servers.
import os from "node:os";
import type { Command } from "commander";
import { act, list } from "../action";
import { Api, normalizeServer } from "../client";
import { configPath, contextNameFor, readConfig, upsertContext, writeConfig } from "../config";
import { CliError, usageError } from "../errors";
import { emit, fields, table } from "../output";
import { ask, readStdin } from "../prompt";
import { apiFor } from "../session";

interface Me {
  user: { id: string; username: string; role: string };
  /** The actions this person may take (the server's answer, so the CLI needs no copy of the role table). */
  actions?: string[];
}

/** Signs in with username + password and returns the session cookie (for the calls that need a person, not a token). */
export async function passwordSession(api: Api, opts: { username?: string; passwordStdin?: boolean }) {
  const username = opts.username ?? (await ask("Username: "));
  const password = opts.passwordStdin ? await readStdin() : await ask("Password: ", { secret: true });
  if (!username || !password) throw usageError("Username and password are both needed");
  const res = await api.send("POST", "/api/auth/login", { body: { username, password } });
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0]!)
    .find((c) => c.startsWith("tideline_session="));
  const { user } = (await res.json()) as Me;
  if (!cookie) throw new CliError(`${api.server} signed ${username} in but sent no session cookie`);
  const logout = () =>
    api.send("POST", "/api/auth/logout", { headers: { cookie } }).then(
      () => undefined,
      () => undefined,
    );
  try {
    // Every action the role allows: the CLI's token can do what the person can.
    const { actions } = await api.get<Me>("/api/auth/me", { headers: { cookie } });
    if (!actions?.length) throw new CliError(`${api.server} did not say which actions ${username} may take (is it an older Tideline?); pass --scopes`);
    return { user, cookie, actions, logout };
  } catch (e) {
    await logout();
    throw e;
  }
}

export function registerAuth(program: Command) {
  program
    .command("login")
    .argument("<server>", "Tideline URL, e.g. https://tideline.example.com")
    .description("Sign in and save an API token for this server in the config file (mode 0600)")
    .option("-u, --username <name>", "local account (asked when omitted)")
    .option("--password-stdin", "read the password from stdin instead of asking")
    .option("--token <token>", "use an API token created on the server's /tokens page (SSO users)")
    .option("--token-stdin", "read that API token from stdin (keeps it out of shell history and ps)")
    .option("--name <context>", "context name (default: the server's host)")
    .option("--expires-in <days>", "days until the CLI's token expires (1-365)", (v) => Number(v), 90)
    .addHelpText(
      "after",
      '\nExamples:\n  tideline login https://tideline.example.com -u alice\n  echo "$PASSWORD" | tideline login tideline.example.com -u ci --password-stdin\n  tideline login tideline.example.com --token tl_...   # SSO: create the token in the UI\n  tideline login tideline.example.com --token-stdin < token.txt',
    )
    .action(
      act(async (opts, server) => {
        const url = normalizeServer(server!);
        const name = opts.name ?? contextNameFor(url);
        let token: string;
        let tokenId: string | undefined;
        let expiresAt: string | undefined;
        let username: string;
        if (opts.token || opts.tokenStdin) {
          token = (opts.tokenStdin ? await readStdin() : String(opts.token)).trim();
          if (!token) throw usageError("The API token read from stdin is empty");
          username = (await new Api(url, token).get<Me>("/api/auth/me")).user.username;
        } else {
          const anonymous = new Api(url);
          const session = await passwordSession(anonymous, { username: opts.username, passwordStdin: opts.passwordStdin });
          username = session.user.username;
          try {
            const tokenName = `tideline-cli ${os.userInfo().username}@${os.hostname()}`.slice(0, 100);
            const created = await anonymous.post<{ token: string; apiToken: { id: string; expiresAt: string } }>(
              "/api/tokens",
              { name: tokenName, scopes: session.actions, expiresInDays: opts.expiresIn },
              { headers: { cookie: session.cookie } },
            );
            [token, tokenId, expiresAt] = [created.token, created.apiToken.id, created.apiToken.expiresAt];
          } finally {
            await session.logout();
          }
        }
        writeConfig(upsertContext(readConfig(), { name, server: url, token, username, tokenId, expiresAt }));
        emit(
          opts,
          { context: name, server: url, username, expiresAt: expiresAt ?? null },
          () => `Logged in to ${url} as ${username} (context "${name}", saved in ${configPath()})`,
        );
      }),
    );

  program
    .command("logout")
    .argument("[context]", "context to log out of (default: the current one)")
    .description("Revoke the CLI's token on the server and remove the context")
    .action(
      act(async (opts, name) => {
        const cfg = readConfig();
        const ctxName = name ?? opts.context ?? cfg.current;
        const ctx = cfg.contexts.find((c) => c.name === ctxName);
        if (!ctx) throw usageError(`No context named "${ctxName ?? ""}" (see \`tideline context list\`)`);
        let revoked = false;
        if (ctx.tokenId) {
          try {
            await new Api(ctx.server, ctx.token).delete(`/api/tokens/${encodeURIComponent(ctx.tokenId)}`);
            revoked = true;
          } catch (e) {
            // An expired or already revoked token is the goal anyway; say so and go on.
            process.stderr.write(`warning: could not revoke the token on ${ctx.server}: ${(e as Error).message}\n`);
          }
        }
        const contexts = cfg.contexts.filter((c) => c.name !== ctx.name);
        writeConfig({ current: cfg.current === ctx.name ? contexts[0]?.name : cfg.current, contexts });
        emit(opts, { context: ctx.name, revoked }, () => `Logged out of ${ctx.server} (context "${ctx.name}")${revoked ? "; token revoked" : ""}`);
      }),
    );

  program
    .command("whoami")
    .description("Who the current token belongs to")
    .action(
      act(async (opts) => {
        const api = apiFor(opts);
        const me = await api.get<Me>("/api/auth/me");
        emit(opts, me.user, () =>
          fields([
            ["Server", api.server],
            ["Username", me.user.username],
            ["Role", me.user.role],
          ]),
        );
      }),
    );

  const context = program.command("context").description("Several Tideline servers: list, switch, forget");
  context
    .command("list")
    .alias("ls")
    .description("Contexts in the config file (* marks the current one)")
    .action(
      act((opts) => {
        const cfg = readConfig();
        const items = cfg.contexts.map((c) => ({
          name: c.name,
          server: c.server,
          username: c.username ?? null,
          current: c.name === cfg.current,
          expiresAt: c.expiresAt ?? null,
        }));
        emit(opts, items, () =>
          items.length
            ? table(
                ["CURRENT", "NAME", "SERVER", "USER", "EXPIRES"],
                items.map((c) => [c.current ? "*" : " ", c.name, c.server, c.username, c.expiresAt?.slice(0, 10)]),
              )
            : "No contexts; run `tideline login <server>`",
        );
      }),
    );
  context
    .command("use")
    .argument("<name>", "context name")
    .description("Make a context the current one")
    .action(
      act((opts, name) => {
        const cfg = readConfig();
        if (!cfg.contexts.some((c) => c.name === name))
          throw usageError(`No context named "${name}"`, [`known: ${cfg.contexts.map((c) => c.name).join(", ") || "(none)"}`]);
        writeConfig({ ...cfg, current: name });
        emit(opts, { current: name }, () => `Switched to context "${name}"`);
      }),
    );
  context
    .command("delete")
    .alias("rm")
    .argument("<name>", "context name")
    .description("Forget a context (its token stays valid on the server; `tideline logout` revokes it)")
    .action(
      act((opts, name) => {
        const cfg = readConfig();
        if (!cfg.contexts.some((c) => c.name === name)) throw usageError(`No context named "${name}"`);
        const contexts = cfg.contexts.filter((c) => c.name !== name);
        writeConfig({ current: cfg.current === name ? contexts[0]?.name : cfg.current, contexts });
        emit(opts, { deleted: name }, () => `Deleted context "${name}"`);
      }),
    );

  const token = program.command("token").description("API tokens for CI and scripts");
  token
    .command("create")
    .argument("<name>", "a name to recognise the token by")
    .description("Create an API token and print it once (a token cannot mint tokens: this signs in with your password)")
    .option("--scopes <list>", "comma-separated actions, e.g. application.read,environment.sync (default: all your role allows)", list)
    .option("--expires-in <days>", "days until it expires (1-365)", (v) => Number(v), 30)
    .option("-u, --username <name>", "local account (default: the current context's user)")
    .option("--password-stdin", "read the password from stdin instead of asking")
    .action(
      act(async (opts, name) => {
        const api = apiFor(opts);
        const anonymous = new Api(api.server);
        const cfg = readConfig();
        const username = opts.username ?? cfg.contexts.find((c) => c.name === (opts.context ?? cfg.current))?.username;
        const session = await passwordSession(anonymous, { username, passwordStdin: opts.passwordStdin });
        try {
          const created = await anonymous.post<{ token: string; apiToken: { id: string; scopes: string[]; expiresAt: string } }>(
            "/api/tokens",
            { name, scopes: opts.scopes ?? session.actions, expiresInDays: opts.expiresIn },
            { headers: { cookie: session.cookie } },
          );
          emit(
            opts,
            created,
            () =>
              `${created.token}\n\nToken "${name}" (${created.apiToken.id}) expires ${created.apiToken.expiresAt.slice(0, 10)}; scopes: ${created.apiToken.scopes.join(", ")}.\nIt is shown only once.`,
          );
        } finally {
          await session.logout();
        }
      }),
    );
  token
    .command("list")
    .alias("ls")
    .description("Your API tokens")
    .action(
      act(async (opts) => {
        const { items } = await apiFor(opts).get<{
          items: Array<{ id: string; name: string; prefix: string; expiresAt: string; lastUsedAt: string | null; revokedAt: string | null }>;
        }>("/api/tokens");
        emit(opts, items, () =>
          table(
            ["ID", "NAME", "PREFIX", "EXPIRES", "LAST USED", "REVOKED"],
            items.map((t) => [t.id, t.name, t.prefix, t.expiresAt.slice(0, 10), t.lastUsedAt?.slice(0, 16), t.revokedAt?.slice(0, 16)]),
          ),
        );
      }),
    );
  token
    .command("revoke")
    .argument("<id>", "token id (see `tideline token list`)")
    .description("Revoke one of your API tokens")
    .action(
      act(async (opts, id) => {
        const out = await apiFor(opts).delete(`/api/tokens/${encodeURIComponent(id!)}`);
        emit(opts, out, () => `Revoked token ${id}`);
      }),
    );
}

// Which server and token a command uses: TIDELINE_SERVER + TIDELINE_TOKEN (CI), else the
// --context given (or TIDELINE_CONTEXT), else the config's current context.
import { Api } from "./client";
import { CliError, EXIT } from "./errors";
import { readConfig } from "./config";

export interface GlobalOptions {
  context?: string;
  server?: string;
  output?: "table" | "json" | "yaml";
}

export function apiFor(opts: GlobalOptions): Api {
  const envToken = process.env.TIDELINE_TOKEN;
  const envServer = opts.server ?? process.env.TIDELINE_SERVER;
  if (envToken && envServer && !opts.context) return new Api(envServer, envToken);
  const cfg = readConfig();
  const name = opts.context ?? (process.env.TIDELINE_CONTEXT || undefined) ?? cfg.current;
  const ctx = name ? cfg.contexts.find((c) => c.name === name) : undefined;
  if (!ctx) {
    if (opts.context) throw new CliError(`No context named "${opts.context}" (see \`tideline context list\`)`, EXIT.usage);
    throw new CliError("Not logged in: run `tideline login <server>` (or set TIDELINE_SERVER and TIDELINE_TOKEN)", EXIT.auth);
  }
  return new Api(opts.server ?? ctx.server, envToken ?? ctx.token);
}

// The user's CLI config: one context per Tideline server (URL + API token), and which one is
// current. Kept in ~/.config/tideline/config.json (or $TIDELINE_CONFIG), readable by the user only.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { usageError } from "./errors";

export interface Context {
  name: string;
  server: string;
  token: string;
  username?: string;
  /** The API token's id on the server, so `logout` can revoke it. */
  tokenId?: string;
  expiresAt?: string;
}

export interface Config {
  current?: string;
  contexts: Context[];
}

export function configPath(): string {
  if (process.env.TIDELINE_CONFIG) return path.resolve(process.env.TIDELINE_CONFIG);
  const base = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), ".config");
  return path.join(base, "tideline", "config.json");
}

export function readConfig(file = configPath()): Config {
  if (!existsSync(file)) return { contexts: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw usageError(`The config file ${file} is not valid JSON (${(e as Error).message}); fix or delete it`);
  }
  const cfg = parsed as Partial<Config>;
  if (!cfg || typeof cfg !== "object" || !Array.isArray(cfg.contexts)) throw usageError(`The config file ${file} has no "contexts" list; fix or delete it`);
  return { current: cfg.current, contexts: cfg.contexts };
}

/** Written to a temporary file with mode 0600 and renamed over the old one: never readable by others, never half-written. */
export function writeConfig(cfg: Config, file = configPath()): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(cfg, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export function upsertContext(cfg: Config, ctx: Context): Config {
  const contexts = cfg.contexts.filter((c) => c.name !== ctx.name);
  contexts.push(ctx);
  return { current: ctx.name, contexts };
}

/** A name for a server's context: its host (and port), like kubectl and argocd do. */
export const contextNameFor = (server: string) => new URL(server).host;

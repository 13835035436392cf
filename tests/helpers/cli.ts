// Runs the `tideline` CLI as a child process, the way a person or CI job does: cli/bin.mjs on
// the project's Node, with its own config file and HOME, and no database settings in its
// environment (it may only talk to the server over HTTP).
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Builds cli/dist/tideline.mjs from the current sources (esbuild, well under a second). */
export function buildCli(): void {
  execFileSync(process.execPath, ["scripts/build-cli.mjs", "--quiet"], { stdio: "inherit" });
}

export interface CliHome {
  dir: string;
  config: string;
  run(args: string[], opts?: { input?: string; env?: Record<string, string | undefined>; timeoutMs?: number }): Promise<CliResult>;
  remove(): void;
}

/** A user's machine: a HOME and a TIDELINE_CONFIG of its own. */
export function cliHome(): CliHome {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tideline-cli-"));
  const config = path.join(dir, ".config", "tideline", "config.json");
  return {
    dir,
    config,
    run: (args, opts = {}) => runCli(args, { ...opts, env: { HOME: dir, TIDELINE_CONFIG: config, ...opts.env } }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function runCli(args: string[], opts: { input?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {}): Promise<CliResult> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8" };
  for (const [k, v] of Object.entries(opts.env ?? {})) if (v !== undefined) env[k] = v;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.resolve("cli/bin.mjs"), ...args], { env: env as NodeJS.ProcessEnv, cwd: os.tmpdir() });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
    child.stdin.on("error", () => {});
    child.stdin.end(opts.input ?? "");
  });
}

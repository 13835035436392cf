// Runs the kustomize and helm command-line tools (installed into .tideline/bin by
// `npm run tools`), with a timeout, and turns their failures into readable errors.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { invalid } from "../errors";

export interface RenderTools {
  kustomize: string[];
  helm: string[];
}

export function defaultTools(binDir = process.env.TIDELINE_TOOLS_DIR ?? path.resolve(".tideline", "bin")): RenderTools {
  const kustomize = process.env.TIDELINE_KUSTOMIZE_BIN ?? path.join(binDir, "kustomize");
  const helm = process.env.TIDELINE_HELM_BIN ?? path.join(binDir, "helm");
  return {
    // kubectl embeds kustomize; it is the fallback when the standalone binary is not installed.
    kustomize: existsSync(/* turbopackIgnore: true */ kustomize) ? [kustomize, "build"] : ["kubectl", "kustomize"],
    helm: [helm, "template"],
  };
}

export function runTool(command: string[], args: string[], opts: { cwd: string; timeoutMs?: number; what: string }): Promise<string> {
  const [bin, ...pre] = command;
  return new Promise((resolve, reject) => {
    const child = spawn(bin!, [...pre, ...args], { cwd: opts.cwd, env: { ...process.env, HELM_CACHE_HOME: path.join(opts.cwd, ".helm-cache"), HELM_CONFIG_HOME: path.join(opts.cwd, ".helm-config") } });
    const out: Buffer[] = [];
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(invalid(`${opts.what}: cannot run ${bin} (${(e as NodeJS.ErrnoException).code ?? e.message}); install it with \`npm run tools\``));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(Buffer.concat(out).toString("utf8"));
      const reason = signal === "SIGKILL" ? "timed out" : `exited with ${code}`;
      reject(invalid(`${opts.what} failed (${reason}): ${err.trim().split("\n").slice(-5).join(" ").slice(0, 1500)}`));
    });
  });
}

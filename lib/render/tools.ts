// Runs the kustomize and helm command-line tools (installed into .tideline/bin by
// `npm run tools`), confined (sandbox.ts), and turns their failures into readable errors.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { invalid } from "../errors";
import { createSandbox, limitedCommand, renderLimits, type RenderLimits } from "./sandbox";

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

const STDERR_KEEP = 64 * 1024;
const mb = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;

/**
 * Runs one tool in a fresh sandbox (lib/render/sandbox.ts): minimal environment, throw-away HOME,
 * time limit, memory limit (prlimit) and output cap. The whole process group is killed on a limit.
 */
export async function runTool(
  command: string[],
  args: string[],
  opts: { cwd: string; timeoutMs?: number; what: string; limits?: Partial<RenderLimits> },
): Promise<string> {
  const limits = { ...renderLimits(), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}), ...opts.limits };
  const sandbox = await createSandbox();
  try {
    return await runConfined([...command, ...args], opts.cwd, opts.what, sandbox.env, limits);
  } finally {
    await sandbox.dispose();
  }
}

function runConfined(argv: string[], cwd: string, what: string, env: Record<string, string>, limits: RenderLimits): Promise<string> {
  const [bin, ...rest] = limitedCommand(argv, limits.memoryBytes);
  const tool = argv[0]!;
  return new Promise((resolve, reject) => {
    const child = spawn(bin!, rest, { cwd, env: env as NodeJS.ProcessEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = "";
    let stopped: string | null = null;
    const stop = (reason: string) => {
      if (stopped) return;
      stopped = reason;
      try {
        process.kill(-child.pid!, "SIGKILL"); // its own process group: plugins and git children too
      } catch {
        child.kill("SIGKILL");
      }
    };
    const timer = setTimeout(() => stop(`timed out after ${limits.timeoutMs / 1000} s (TIDELINE_RENDER_TIMEOUT_SECONDS)`), limits.timeoutMs);
    child.stdout.on("data", (c: Buffer) => {
      if (stopped) return;
      outBytes += c.length;
      if (outBytes > limits.maxOutputBytes) {
        out.length = 0;
        return stop(`printed more than ${mb(limits.maxOutputBytes)} (TIDELINE_RENDER_MAX_OUTPUT_MB)`);
      }
      out.push(c);
    });
    child.stderr.on("data", (c: Buffer) => (err = (err + c.toString()).slice(-STDERR_KEEP)));
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(invalid(`${what}: cannot run ${tool} (${(e as NodeJS.ErrnoException).code ?? e.message}); install it with \`npm run tools\``));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (stopped) return reject(invalid(`${what} stopped: it ${stopped}`, { limit: stopped.match(/\((TIDELINE_\w+)\)/)?.[1] }));
      if (code === 0) return resolve(Buffer.concat(out).toString("utf8"));
      const tail = err.trim().split("\n").slice(-5).join(" ").slice(0, 1500);
      const oom = limits.memoryBytes > 0 && /out of memory|cannot allocate memory|MemoryError|failed to reserve/i.test(err);
      const reason = oom
        ? `ran out of its memory limit of ${mb(limits.memoryBytes)} (TIDELINE_RENDER_MEMORY_MB)`
        : signal
          ? `killed by ${signal}`
          : `exited with ${code}`;
      reject(invalid(`${what} failed (${reason}): ${tail}`, oom ? { limit: "TIDELINE_RENDER_MEMORY_MB" } : undefined));
    });
  });
}

// The confinement kustomize and helm run in: an environment built from nothing (no secret key,
// DATABASE_URL or OIDC secret can leak into a chart or plugin), a throw-away HOME with helm's
// cache/config/data outside the repository tree, and limits on time, memory and output.
import { accessSync, constants } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { securityEnv } from "../env";
import { logger } from "../log/logger";

const log = logger("render");

export interface RenderLimits {
  timeoutMs: number;
  /** Writable memory (heap) the tool may map, via prlimit --data; 0 = no limit. */
  memoryBytes: number;
  maxOutputBytes: number;
  /** Hosts remote kustomize resources may come from (lib/render/remote-refs.ts). */
  remoteHosts: string[];
}

export function renderLimits(): RenderLimits {
  const e = securityEnv();
  return {
    timeoutMs: e.TIDELINE_RENDER_TIMEOUT_SECONDS * 1000,
    memoryBytes: e.TIDELINE_RENDER_MEMORY_MB * 1024 * 1024,
    maxOutputBytes: Math.round(e.TIDELINE_RENDER_MAX_OUTPUT_MB * 1024 * 1024),
    remoteHosts: e.TIDELINE_RENDER_REMOTE_HOSTS.map((h) => h.toLowerCase()),
  };
}

export interface Sandbox {
  home: string;
  env: Record<string, string>;
  dispose: () => Promise<void>;
}

/** A fresh working folder (outside the repository and the rendered tree) and the only variables the tools see. */
export async function createSandbox(): Promise<Sandbox> {
  const home = await mkdtemp(path.join(os.tmpdir(), "tideline-render-"));
  const dirs = { cache: path.join(home, ".cache"), config: path.join(home, ".config"), data: path.join(home, ".local", "share"), tmp: path.join(home, "tmp") };
  await Promise.all(Object.values(dirs).map((d) => mkdir(d, { recursive: true })));
  const env: Record<string, string> = {
    // PATH so kubectl's kustomize and git (for allowed remote bases) can be found.
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: home,
    TMPDIR: dirs.tmp,
    XDG_CACHE_HOME: dirs.cache,
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.data,
    HELM_CACHE_HOME: path.join(dirs.cache, "helm"),
    HELM_CONFIG_HOME: path.join(dirs.config, "helm"),
    HELM_DATA_HOME: path.join(dirs.data, "helm"),
    KUBECONFIG: path.join(home, ".kube", "config"), // does not exist: renders never talk to a cluster
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_NOSYSTEM: "1",
    LANG: "C.UTF-8",
  };
  return { home, env, dispose: () => rm(home, { recursive: true, force: true }) };
}

let prlimitPath: string | null | undefined;

/** prlimit from util-linux, when installed; without it renders still run, with time and output limits only. */
export function findPrlimit(): string | null {
  if (prlimitPath !== undefined) return prlimitPath;
  prlimitPath = null;
  for (const dir of (process.env.PATH ?? "/usr/bin:/bin").split(path.delimiter)) {
    try {
      accessSync(path.join(dir, "prlimit"), constants.X_OK);
      prlimitPath = path.join(dir, "prlimit");
      break;
    } catch {
      // not in this folder
    }
  }
  if (!prlimitPath) log.warn("prlimit (util-linux) not found: kustomize and helm run without a memory limit (time and output limits still apply)");
  return prlimitPath;
}

/**
 * The command line with the memory limit in front. RLIMIT_DATA, not RLIMIT_AS: Go programs
 * (kustomize, helm, kubectl) reserve far more address space than they use (kubectl would not
 * start under 1 GB of --as), while --data counts the writable memory they actually map.
 */
export function limitedCommand(command: string[], memoryBytes: number): string[] {
  const prlimit = memoryBytes > 0 ? findPrlimit() : null;
  return prlimit ? [prlimit, `--data=${memoryBytes}`, "--", ...command] : command;
}

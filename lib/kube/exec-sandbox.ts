// Runs kubeconfig exec credential plugins the operator allowed, and only those: with a minimal
// environment (PATH and HOME plus the plugin's own `env` entries; never the server's secrets),
// a time limit and a cap on what they print. client-node spawns plugins itself with the whole
// process environment; this replaces its spawn function on the one KubeConfig.
import { spawn, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { PassThrough } from "node:stream";
import type { KubeConfig } from "@kubernetes/client-node";
import type { KubeconfigPolicy } from "./kubeconfig-policy";

const MAX_PLUGIN_OUTPUT = 1024 * 1024;

type SpawnLike = (command: string, args: readonly string[] | undefined, opts: unknown) => ChildProcess;
interface ExecAuthLike {
  execFn: SpawnLike;
}

/** The environment a plugin runs with: nothing from the server but PATH and HOME. */
export function execPluginEnv(pluginEnv: Array<{ name: string; value: string }> | undefined | null): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin", HOME: process.env.HOME ?? "/" };
  for (const e of pluginEnv ?? []) env[e.name] = e.value;
  return env;
}

export function sandboxExecPlugins(kc: KubeConfig, clusterName: string, policy: KubeconfigPolicy): void {
  const authenticators = (kc as unknown as { authenticators?: unknown[] }).authenticators ?? [];
  const execAuth = authenticators.find((a): a is ExecAuthLike => typeof (a as Partial<ExecAuthLike>)?.execFn === "function");
  const sandboxed: SpawnLike = (command, args) => {
    // Checked again at run time: a kubeconfig stored before the allow-list changed must not run.
    if (!policy.execAllowlist.includes(command))
      return refusedChild(`exec plugin "${command}" of cluster ${clusterName} is not on TIDELINE_KUBECONFIG_EXEC_ALLOWLIST`);
    const child = spawn(command, args ?? [], {
      env: execPluginEnv(kc.getCurrentUser()?.exec?.env) as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let printed = 0;
    const fail = (message: string) => {
      try {
        process.kill(-child.pid!, "SIGKILL"); // its process group: a shell's children hold the pipes open
      } catch {
        child.kill("SIGKILL");
      }
      child.emit("error", new Error(message)); // client-node rejects with the saved error on close
    };
    const timer = setTimeout(
      () => fail(`exec plugin "${command}" of cluster ${clusterName} did not answer within ${policy.execTimeoutMs / 1000} s`),
      policy.execTimeoutMs,
    );
    child.stdout?.on("data", (chunk: Buffer | string) => {
      printed += chunk.length;
      if (printed > MAX_PLUGIN_OUTPUT) fail(`exec plugin "${command}" of cluster ${clusterName} printed more than 1 MB`);
    });
    child.on("close", () => clearTimeout(timer));
    return child;
  };
  if (execAuth) execAuth.execFn = sandboxed;
  else if (kc.getCurrentUser()?.exec)
    throw new Error(`Cluster ${clusterName}: cannot confine its exec plugin (unexpected @kubernetes/client-node internals); refusing to run it`);
}

/** Stands in for a child process that fails at once, without running anything. */
function refusedChild(message: string): ChildProcess {
  const fake = Object.assign(new EventEmitter(), { stdout: new PassThrough(), stderr: new PassThrough() });
  setImmediate(() => {
    fake.emit("error", new Error(message));
    fake.emit("close", null);
  });
  return fake as unknown as ChildProcess;
}

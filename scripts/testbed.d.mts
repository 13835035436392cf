// Types for scripts/testbed.mjs (plain JavaScript so it runs without a build step).
export interface Testbed {
  kubeconfigPath: string;
  viewerKubeconfigPath: string;
  server: string;
  dir: string | null;
  pid: number;
  version: string;
  nodes: string[];
  logFile: string | null;
  exited: Promise<{ code: number | null; signal: string | null }>;
  stop(): Promise<void>;
}
export const ROOT: string;
export const TESTBED_BIN: string;
export const KUSTOMIZE_BIN: string;
export const HELM_BIN: string;
export function buildTestbed(opts?: { quiet?: boolean; force?: boolean }): Promise<{ path: string; cached: boolean; seconds?: number }>;
export function startTestbed(opts?: {
  dir?: string;
  port?: number;
  etcdPort?: number;
  nodes?: number;
  fresh?: boolean;
  args?: string[];
  timeoutMs?: number;
  quiet?: boolean;
}): Promise<Testbed>;
export function installTools(opts?: { quiet?: boolean }): Promise<unknown>;

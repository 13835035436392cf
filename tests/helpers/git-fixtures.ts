// Real Git servers for integration tests: one open, one behind basic auth, both serving
// the same folder of bare repositories made with the git CLI.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startGitServer, type GitServer } from "../../support/git-server";
import { runGit } from "../../support/demo-repo";

export interface GitFixtures {
  root: string;
  open: GitServer;
  authed: GitServer;
  credentials: { username: string; password: string };
  stop(): Promise<void>;
}

export async function startGitFixtures(): Promise<GitFixtures> {
  const root = mkdtempSync(path.join(os.tmpdir(), "tideline-git-"));
  const credentials = { username: "ci-bot", password: "s3cret-token-value" };
  const open = await startGitServer({ root });
  const authed = await startGitServer({ root, auth: credentials });
  return {
    root,
    open,
    authed,
    credentials,
    async stop() {
      await Promise.all([open.stop(), authed.stop()]);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export const gitIn = (bareDir: string, ...args: string[]) => runGit([`--git-dir=${bareDir}`, ...args]);

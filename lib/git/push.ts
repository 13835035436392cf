// Pushes a commit to a remote branch as a compare-and-swap: the push only lands when the
// branch still points where we think it does, so concurrent writers never lose a commit.
import { spawn } from "node:child_process";
import { AppError } from "../errors";
import { authEnv } from "./cli-fetch";
import type { RemoteCredentials } from "./mirror";
import { isSafeBranchName } from "./paths";

export type PushOutcome = { status: "pushed" } | { status: "stale" };

/**
 * Sets refs/heads/<branch> on the remote to `sha` if it currently is `expected`
 * (null: the branch must not exist yet). "stale" means someone else moved it first.
 */
export function pushBranch(opts: {
  gitdir: string;
  url: string;
  credentials: RemoteCredentials;
  branch: string;
  sha: string;
  expected: string | null;
}): Promise<PushOutcome> {
  if (!isSafeBranchName(opts.branch)) throw new AppError("invalid", `"${opts.branch}" is not a valid branch name`);
  const ref = `refs/heads/${opts.branch}`;
  const args = [`--git-dir=${opts.gitdir}`, "push", "--porcelain", `--force-with-lease=${ref}:${opts.expected ?? ""}`, opts.url, `${opts.sha}:${ref}`];
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, {
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "true", GIT_CONFIG_NOSYSTEM: "1", LC_ALL: "C", ...authEnv(opts.credentials) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) return resolve({ status: "pushed" });
      // Lost races: our lease was stale, or another push locked/updated the ref on the server first.
      if (/stale info|fetch first|non-fast-forward|\[rejected\]|already exists|failed to update ref|cannot lock ref|incorrect old value/.test(output))
        return resolve({ status: "stale" });
      reject(describePushError(output, opts.url, opts.branch));
    });
  });
}

function describePushError(output: string, url: string, branch: string): AppError {
  const host = (() => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  })();
  if (/returned error: 401|Authentication failed|could not read Username/i.test(output)) {
    return new AppError(
      "upstream_auth",
      `${host} refused the push (HTTP 401): the repository's token is missing, expired or revoked; update it on the repository page`,
    );
  }
  if (/returned error: 403/.test(output))
    return new AppError("upstream_auth", `${host} refused the push (HTTP 403): the repository's token has no write access`);
  if (/protected branch|pre-receive hook declined/i.test(output))
    return new AppError("conflict", `${host} refused the push to ${branch}: the branch is protected on the server`);
  if (/Could not resolve host|Connection refused|Failed to connect|timed out/i.test(output))
    return new AppError("unreachable", `Could not reach ${host} to push ${branch}`);
  const last = output.trim().split("\n").pop() ?? "unknown error";
  return new AppError("unreachable", `Pushing ${branch} to ${host} failed: ${last.replace(/Authorization: \S+ \S+/g, "Authorization: ***")}`);
}

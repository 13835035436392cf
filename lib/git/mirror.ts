// Keeps a bare local mirror of a remote: fetched with the git CLI when installed (fast),
// else isomorphic-git; remote probing uses isomorphic-git. Mirrors are named by the
// repository's id (never by anything from the remote), and no work tree is ever written.
import fs from "node:fs";
import path from "node:path";
import git from "isomorphic-git";
import http from "isomorphic-git/http/node";
import { describeRemoteError } from "./remote-errors";
import { isSafeBranchName } from "./paths";
import { AppError } from "../errors";
import { cliFetch } from "./cli-fetch";
import { gitCliAvailable } from "./git-cli";

export interface RemoteCredentials {
  username?: string | null;
  token?: string | null;
}

export interface FetchProgress {
  phase: string;
  loaded: number;
  total?: number;
}

export interface RemoteBranch {
  name: string;
  sha: string;
}

export function mirrorPath(mirrorsDir: string, repositoryId: string): string {
  if (!/^[a-z0-9_-]+$/i.test(repositoryId)) throw new Error(`Unsafe repository id ${repositoryId}`);
  return path.join(mirrorsDir, `${repositoryId}.git`);
}

function onAuthFor(credentials: RemoteCredentials) {
  // Returning cancel on a second prompt makes a 401 surface as an error instead of looping.
  let attempts = 0;
  return () => {
    attempts += 1;
    if (attempts > 1 || (!credentials.username && !credentials.token)) return { cancel: true };
    return { username: credentials.username || "git", password: credentials.token ?? "" };
  };
}

/** Asks the remote for its refs: proves it is reachable, is Git, accepts the credentials, and is not empty. */
export async function probeRemote(url: string, credentials: RemoteCredentials): Promise<{ defaultBranch: string | null; branches: number }> {
  let info;
  try {
    info = await git.getRemoteInfo2({ http, url, onAuth: onAuthFor(credentials), protocolVersion: 1 });
  } catch (error) {
    throw describeRemoteError(error, url);
  }
  const heads = (info.refs ?? []).filter((r) => r.ref.startsWith("refs/heads/"));
  if (heads.length === 0) throw new AppError("invalid", `The repository at ${url} is empty: it has no branches yet; push a first commit and try again`);
  const head = (info.refs ?? []).find((r) => r.ref === "HEAD");
  const defaultBranch = head?.target?.replace(/^refs\/heads\//, "") ?? heads[0]!.ref.replace(/^refs\/heads\//, "");
  return { defaultBranch, branches: heads.length };
}

/** Creates the bare mirror on first use; the remote URL is (re)written each time (no credentials in it). */
export async function ensureMirror(gitdir: string, url: string): Promise<void> {
  if (!fs.existsSync(path.join(gitdir, "HEAD"))) {
    await fs.promises.mkdir(gitdir, { recursive: true });
    await git.init({ fs, gitdir, bare: true });
  }
  // Written only when it changed: fetches run concurrently (background fetch, pushes' refreshes), and
  // rewriting the config file on every fetch let two writers interleave and corrupt it.
  const wanted = { "remote.origin.url": url, "remote.origin.fetch": "+refs/heads/*:refs/remotes/origin/*" };
  for (const [key, value] of Object.entries(wanted)) {
    if ((await git.getConfig({ fs, gitdir, path: key })) !== value) await git.setConfig({ fs, gitdir, path: key, value });
  }
}

// One writer per mirror in this process: concurrent jobs (several environments asking for a revision
// a fresh mirror lacks, a fetch job) would otherwise init it and write its config at the same time,
// which corrupted the remote URL. Each process has its own mirrors folder (TIDELINE_DATA_DIR).
const mirrorWriters = new Map<string, Promise<unknown>>();

function oneWriterPerMirror<T>(gitdir: string, work: () => Promise<T>): Promise<T> {
  const previous = mirrorWriters.get(gitdir) ?? Promise.resolve();
  const next = previous.catch(() => {}).then(work);
  const settled = next.catch(() => {});
  mirrorWriters.set(gitdir, settled);
  void settled.then(() => {
    if (mirrorWriters.get(gitdir) === settled) mirrorWriters.delete(gitdir);
  });
  return next;
}

/** Fetches every branch (force-updating refs, pruning deleted ones) and returns what the remote now holds. */
export function fetchMirror(opts: Parameters<typeof fetchMirrorNow>[0]): ReturnType<typeof fetchMirrorNow> {
  return oneWriterPerMirror(opts.gitdir, () => fetchMirrorNow(opts));
}

async function fetchMirrorNow(opts: {
  gitdir: string;
  url: string;
  credentials: RemoteCredentials;
  onProgress?: (p: FetchProgress) => void;
  /** Defaults to the git CLI when installed. */
  transport?: "git-cli" | "isomorphic-git";
}): Promise<{ branches: RemoteBranch[]; defaultBranch: string | null }> {
  const { gitdir, url } = opts;
  await ensureMirror(gitdir, url);
  let defaultBranch: string | null = null;
  if ((opts.transport ?? (gitCliAvailable() ? "git-cli" : "isomorphic-git")) === "git-cli") {
    await cliFetch(gitdir, url, opts.credentials, opts.onProgress);
  } else {
    defaultBranch = await fetchWithIsomorphicGit(opts);
  }
  const names = await git.listBranches({ fs, gitdir, remote: "origin" });
  const branches: RemoteBranch[] = [];
  for (const name of names) {
    if (name === "HEAD" || !isSafeBranchName(name)) continue;
    branches.push({ name, sha: await git.resolveRef({ fs, gitdir, ref: `refs/remotes/origin/${name}` }) });
  }
  if (branches.length === 0) throw new AppError("invalid", `The repository at ${url} is empty: it has no branches`);
  return { branches, defaultBranch };
}

async function fetchWithIsomorphicGit(opts: {
  gitdir: string;
  url: string;
  credentials: RemoteCredentials;
  onProgress?: (p: FetchProgress) => void;
}): Promise<string | null> {
  const { gitdir, url } = opts;
  let result;
  try {
    result = await git.fetch({
      fs,
      http,
      gitdir,
      remote: "origin",
      singleBranch: false,
      tags: false,
      prune: true,
      onAuth: onAuthFor(opts.credentials),
      onProgress: opts.onProgress,
    });
  } catch (error) {
    throw describeRemoteError(error, url);
  }
  return result.defaultBranch?.replace(/^refs\/heads\//, "") ?? null;
}

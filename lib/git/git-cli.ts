// Bulk reads of a mirror through the git command line, which is 100x faster than
// isomorphic-git for walking thousands of commits. Used when git is installed; the
// JS readers in read-commits.ts remain the fallback.
import { spawn, spawnSync } from "node:child_process";
import type { ChangeKind } from "./tree-diff";
import type { IndexedCommit } from "./read-commits";

let available: boolean | undefined;
export function gitCliAvailable(): boolean {
  available ??= spawnSync("git", ["--version"], { stdio: "ignore" }).status === 0 && process.env.TIDELINE_DISABLE_GIT_CLI !== "1";
  return available;
}

const GIT_ENV = { GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" };

export function runGitIn(gitdir: string, args: string[], stdin?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", [`--git-dir=${gitdir}`, ...args], { env: { ...process.env, ...GIT_ENV }, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`git ${args[0]} failed (${code}): ${err.trim().slice(0, 500)}`))));
    child.stdin.on("error", () => {});
    child.stdin.end(stdin ?? "");
  });
}

const FORMAT = "%x00%H%x00%P%x00%T%x00%an%x00%ae%x00%at%x00%cn%x00%ce%x00%ct%x00%B";
const STATUS: Record<string, ChangeKind> = { A: "added", M: "modified", D: "deleted", T: "modified" };

/**
 * Commits reachable from `heads` but not from `exclude`, parents first, each with the files
 * it changed against its first parent (like `git log --name-status`, merges included).
 */
export async function logNewCommits(gitdir: string, heads: string[], exclude: string[]): Promise<IndexedCommit[]> {
  if (heads.length === 0) return [];
  const revs = [...heads, ...exclude.map((sha) => `^${sha}`)].join("\n") + "\n";
  const raw = await runGitIn(
    gitdir,
    ["log", "--stdin", "--topo-order", "--reverse", "--no-renames", "--diff-merges=first-parent", "--name-status", "-z", `--format=${FORMAT}`],
    revs,
  );
  return parseLog(raw.toString("utf8"));
}

export function parseLog(text: string): IndexedCommit[] {
  const tokens = text.split("\0");
  const commits: IndexedCommit[] = [];
  let i = 0;
  while (i < tokens.length && tokens[i] === "") i++; // leading separator
  while (i + 9 < tokens.length) {
    const [sha, parents, tree, an, ae, at, cn, ce, ct, body] = tokens.slice(i, i + 10) as string[];
    i += 10;
    const files: IndexedCommit["files"] = [];
    while (i < tokens.length && tokens[i] !== "") {
      const status = tokens[i]!.replace(/^\n/, "");
      const path = tokens[i + 1]!;
      files.push({ path, change: STATUS[status[0]!] ?? "modified" });
      i += 2;
    }
    i += 1; // the empty token ending this commit
    commits.push({
      sha: sha!,
      parents: parents ? parents.split(" ") : [],
      tree: tree!,
      authorName: an!,
      authorEmail: ae!,
      authoredAt: new Date(Number(at) * 1000),
      committerName: cn!,
      committerEmail: ce!,
      committedAt: new Date(Number(ct) * 1000),
      message: body!.replace(/\n+$/, ""),
      files,
    });
  }
  return commits;
}

/** Commits reachable from `from` but not from `not` (exact branch membership deltas). */
export async function revList(gitdir: string, from: string, not: string): Promise<string[]> {
  const out = await runGitIn(gitdir, ["rev-list", "--stdin"], `${from}\n^${not}\n`);
  return out.toString("utf8").split("\n").filter(Boolean);
}

export async function objectExists(gitdir: string, sha: string): Promise<boolean> {
  return runGitIn(gitdir, ["cat-file", "-e", `${sha}^{commit}`]).then(
    () => true,
    () => false,
  );
}

/** isomorphic-git adds one pack per fetch; reads slow down as packs pile up, so consolidate. */
export async function repackIfFragmented(gitdir: string, packs: number, threshold = 8): Promise<boolean> {
  if (packs < threshold) return false;
  await runGitIn(gitdir, ["repack", "-a", "-d", "-q"]);
  return true;
}

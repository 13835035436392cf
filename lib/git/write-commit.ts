// Builds commits inside a bare mirror without a work tree: file edits go through a private
// index file, and merges/rebases through `git merge-tree --write-tree` (git >= 2.38).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { AppError } from "../errors";
import { normalizeRepoPath } from "./paths";
import { controlCharacterIn } from "../limits/control-characters";

export interface FileEdit {
  path: string;
  /** New content; null deletes the file. A rename is a delete plus an add. */
  content: string | Buffer | null;
}

export interface Signature {
  name: string;
  email: string;
}

const ZERO = "0".repeat(40);

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

function git(gitdir: string, args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", [`--git-dir=${gitdir}`, ...args], {
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", LC_ALL: "C", ...opts.env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.on("error", () => {});
    child.stdin.end(opts.input ?? "");
  });
}

async function gitOk(gitdir: string, args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<string> {
  const r = await git(gitdir, args, opts);
  if (r.code !== 0) throw new Error(`git ${args[0]} failed (${r.code}): ${r.stderr.trim().slice(0, 500)}`);
  return r.stdout.trim();
}

function signatureEnv(author: Signature, committer: Signature = author): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
  };
}

/** Checks and normalizes edit paths: relative, no "..", no duplicates. */
export function validateEdits(edits: FileEdit[]): FileEdit[] {
  const seen = new Set<string>();
  return edits.map((edit, i) => {
    // Checked here too, whoever the caller is: a newline or tab would end an --index-info record.
    const control = controlCharacterIn(edit.path);
    if (control) throw new AppError("invalid", `files.${i}.path contains ${control}`, { field: `files.${i}.path` });
    const p = normalizeRepoPath(edit.path, `files[${i}].path`);
    if (p === "") throw new AppError("invalid", `files[${i}].path is empty`);
    if (p.split("/").includes(".git")) throw new AppError("invalid", `files[${i}].path "${p}" must not contain a .git segment`);
    if (seen.has(p)) throw new AppError("invalid", `files[${i}].path "${p}" appears twice in one change`);
    seen.add(p);
    return { ...edit, path: p };
  });
}

/** Writes a commit whose tree is `parent`'s tree with `edits` applied; returns its sha. */
export async function commitEdits(opts: {
  gitdir: string;
  parent: string;
  edits: FileEdit[];
  message: string;
  author: Signature;
  committer?: Signature;
}): Promise<string> {
  const edits = validateEdits(opts.edits);
  const tmp = await mkdtemp(path.join(os.tmpdir(), "tideline-commit-"));
  try {
    const index = path.join(tmp, "index");
    const env = { GIT_INDEX_FILE: index };
    await gitOk(opts.gitdir, ["read-tree", opts.parent], { env });
    const written = edits.filter((e) => e.content !== null);
    const blobFiles = await Promise.all(
      written.map(async (e, i) => {
        const file = path.join(tmp, `blob-${i}`);
        await writeFile(file, e.content as string | Buffer);
        return file;
      }),
    );
    const blobs = written.length ? (await gitOk(opts.gitdir, ["hash-object", "-w", "--stdin-paths"], { input: blobFiles.join("\n") + "\n" })).split("\n") : [];
    const modes = await existingModes(
      opts.gitdir,
      opts.parent,
      written.map((e) => e.path),
    );
    const lines = [
      ...edits.filter((e) => e.content === null).map((e) => `0 ${ZERO}\t${e.path}`),
      ...written.map((e, i) => `${modes.get(e.path) ?? "100644"} ${blobs[i]}\t${e.path}`),
    ];
    // NUL-terminated records (-z): no path character can start another record.
    await gitOk(opts.gitdir, ["update-index", "-z", "--index-info"], { env, input: lines.join("\0") + "\0" });
    const tree = await gitOk(opts.gitdir, ["write-tree"], { env });
    return await gitOk(opts.gitdir, ["commit-tree", tree, "-p", opts.parent, "-F", "-"], {
      env: signatureEnv(opts.author, opts.committer),
      input: opts.message,
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Keeps executable bits of files that already exist. */
async function existingModes(gitdir: string, commit: string, paths: string[]): Promise<Map<string, string>> {
  if (paths.length === 0) return new Map();
  const out = await gitOk(gitdir, ["ls-tree", "-z", commit, "--", ...paths]);
  const modes = new Map<string, string>();
  for (const entry of out.split("\0").filter(Boolean)) {
    const [meta, p] = entry.split("\t");
    const mode = meta!.split(" ")[0]!;
    if (mode === "100755") modes.set(p!, mode);
  }
  return modes;
}

export async function isAncestor(gitdir: string, ancestor: string, descendant: string): Promise<boolean> {
  const r = await git(gitdir, ["merge-base", "--is-ancestor", ancestor, descendant]);
  return r.code === 0;
}

export type MergeTreeResult = { clean: true; tree: string } | { clean: false; conflicts: string[] };

/** Three-way merge of two commits (over their merge base) into a tree, no work tree needed. */
export async function mergeTrees(gitdir: string, ours: string, theirs: string): Promise<MergeTreeResult> {
  const args = ["merge-tree", "--write-tree", "--name-only", "-z", ours, theirs];
  const r = await git(gitdir, args);
  const parts = r.stdout.split("\0");
  if (r.code === 0) return { clean: true, tree: parts[0]!.trim() };
  if (r.code === 1) {
    // Output: tree, NUL, conflicted file names (NUL separated), an empty entry, then messages.
    const conflicts: string[] = [];
    for (const name of parts.slice(1)) {
      if (name === "") break;
      if (!conflicts.includes(name)) conflicts.push(name);
    }
    return { clean: false, conflicts };
  }
  throw new Error(`git merge-tree failed (${r.code}): ${r.stderr.trim().slice(0, 500)}`);
}

/**
 * Replays the single commit `commit` onto `onto`; conflicts name the files. git 2.39 has no
 * merge-tree --merge-base, so the merge base is computed: it is the commit's parent whenever the
 * branch only moved forward, which is the case this serves.
 */
export async function rebaseCommit(gitdir: string, commit: string, onto: string, committer: Signature): Promise<string> {
  const merged = await mergeTrees(gitdir, onto, commit);
  if (!merged.clean) {
    throw new AppError(
      "conflict",
      `The branch changed the same lines meanwhile in ${merged.conflicts.join(", ")}; your edit was kept, resolve the conflict and propose again`,
      {
        conflicts: merged.conflicts,
      },
    );
  }
  const info = await gitOk(gitdir, ["log", "-1", "--format=%an%x00%ae%x00%B", commit]);
  const [an, ae, ...rest] = info.split("\0");
  return gitOk(gitdir, ["commit-tree", merged.tree, "-p", onto, "-F", "-"], {
    env: signatureEnv({ name: an!, email: ae! }, committer),
    input: rest.join("\0"),
  });
}

/** A merge commit of `head` into `base`, or null with the conflicting files. */
export async function mergeCommit(
  gitdir: string,
  base: string,
  head: string,
  message: string,
  committer: Signature,
): Promise<MergeTreeResult & { sha?: string }> {
  const merged = await mergeTrees(gitdir, base, head);
  if (!merged.clean) return merged;
  const sha = await gitOk(gitdir, ["commit-tree", merged.tree, "-p", base, "-p", head, "-F", "-"], {
    env: signatureEnv(committer),
    input: message,
  });
  return { ...merged, sha };
}

/** Files changed between two commits (for change request diffs), with rename detection off. */
export async function changedFiles(gitdir: string, from: string, to: string): Promise<Array<{ path: string; change: "added" | "modified" | "deleted" }>> {
  const out = await gitOk(gitdir, ["diff-tree", "-r", "-z", "--no-renames", "--name-status", from, to]);
  const parts = out.split("\0").filter((p) => p !== "");
  const files: Array<{ path: string; change: "added" | "modified" | "deleted" }> = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const status = parts[i]!;
    files.push({ path: parts[i + 1]!, change: status.startsWith("A") ? "added" : status.startsWith("D") ? "deleted" : "modified" });
  }
  return files;
}

export async function mergeBase(gitdir: string, a: string, b: string): Promise<string | null> {
  const r = await git(gitdir, ["merge-base", a, b]);
  return r.code === 0 ? r.stdout.trim() : null;
}

export { git as runGitRaw };

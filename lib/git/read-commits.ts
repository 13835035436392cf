// Reads the commits a fetch brought in that the index does not know yet, ordered
// parents-first so an interrupted import never leaves a commit without its ancestors.
import fs from "node:fs";
import git from "isomorphic-git";
import { TreeReader, type FileChange } from "./tree-diff";

export interface ParsedCommit {
  sha: string;
  parents: string[];
  tree: string;
  authorName: string;
  authorEmail: string;
  authoredAt: Date;
  committerName: string;
  committerEmail: string;
  committedAt: Date;
  message: string;
}

export interface IndexedCommit extends ParsedCommit {
  files: FileChange[];
}

const toDate = (seconds: number) => new Date(seconds * 1000);

export async function readNewCommits(gitdir: string, heads: string[], known: Set<string>, cache: object = {}): Promise<ParsedCommit[]> {
  const found = new Map<string, ParsedCommit>();
  const stack = heads.filter((sha) => !known.has(sha));
  while (stack.length > 0) {
    const sha = stack.pop()!;
    if (found.has(sha) || known.has(sha)) continue;
    const { commit } = await git.readCommit({ fs, gitdir, oid: sha, cache });
    found.set(sha, {
      sha,
      parents: commit.parent,
      tree: commit.tree,
      authorName: commit.author.name,
      authorEmail: commit.author.email,
      authoredAt: toDate(commit.author.timestamp),
      committerName: commit.committer.name,
      committerEmail: commit.committer.email,
      committedAt: toDate(commit.committer.timestamp),
      message: commit.message.replace(/\n+$/, ""),
    });
    for (const parent of commit.parent) if (!found.has(parent) && !known.has(parent)) stack.push(parent);
  }
  return parentsFirst(found);
}

/** Topological order (iterative DFS post-order): every commit comes after its parents. */
function parentsFirst(commits: Map<string, ParsedCommit>): ParsedCommit[] {
  const ordered: ParsedCommit[] = [];
  const state = new Map<string, "visiting" | "done">();
  for (const start of commits.keys()) {
    if (state.has(start)) continue;
    const stack: Array<{ sha: string; next: number }> = [{ sha: start, next: 0 }];
    state.set(start, "visiting");
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const commit = commits.get(frame.sha)!;
      const parent = commit.parents[frame.next++];
      if (parent === undefined) {
        state.set(frame.sha, "done");
        ordered.push(commit);
        stack.pop();
      } else if (commits.has(parent) && !state.has(parent)) {
        state.set(parent, "visiting");
        stack.push({ sha: parent, next: 0 });
      }
    }
  }
  return ordered;
}

/** Adds changed files, compared with the first parent (as `git log --name-status` does for non-merges). */
export async function withChangedFiles(reader: TreeReader, commits: ParsedCommit[], treeOf: (sha: string) => Promise<string>): Promise<IndexedCommit[]> {
  const out: IndexedCommit[] = [];
  for (const commit of commits) {
    const parent = commit.parents[0];
    const parentTree = parent ? await treeOf(parent) : null;
    out.push({ ...commit, files: await reader.diff(parentTree, commit.tree) });
  }
  return out;
}

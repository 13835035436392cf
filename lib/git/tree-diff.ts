// Computes the files a commit changed by walking two trees side by side and skipping
// identical subtrees, so a commit touching 3 of 2,000 files reads only a few trees.
import fs from "node:fs";
import git from "isomorphic-git";

export type ChangeKind = "added" | "modified" | "deleted";
export interface FileChange {
  path: string;
  change: ChangeKind;
}

interface Entry {
  oid: string;
  type: "blob" | "tree" | "commit";
}

export class TreeReader {
  private trees = new Map<string, Map<string, Entry>>();
  readonly cache = {};

  constructor(
    private readonly gitdir: string,
    private readonly maxTrees = 100_000,
  ) {}

  async entries(oid: string): Promise<Map<string, Entry>> {
    const hit = this.trees.get(oid);
    if (hit) return hit;
    const { tree } = await git.readTree({ fs, gitdir: this.gitdir, oid, cache: this.cache });
    const map = new Map<string, Entry>(tree.map((e) => [e.path, { oid: e.oid, type: e.type }]));
    if (this.trees.size >= this.maxTrees) this.trees.clear();
    this.trees.set(oid, map);
    return map;
  }

  async diff(fromTree: string | null, toTree: string | null): Promise<FileChange[]> {
    const out: FileChange[] = [];
    await this.walk(fromTree, toTree, "", out);
    return out;
  }

  private async walk(a: string | null, b: string | null, prefix: string, out: FileChange[]): Promise<void> {
    if (a === b) return;
    const left = a ? await this.entries(a) : new Map<string, Entry>();
    const right = b ? await this.entries(b) : new Map<string, Entry>();
    const names = new Set([...left.keys(), ...right.keys()]);
    for (const name of [...names].sort()) {
      const l = left.get(name);
      const r = right.get(name);
      if (l && r && l.oid === r.oid && l.type === r.type) continue;
      const path = prefix + name;
      const lTree = l?.type === "tree" ? l.oid : null;
      const rTree = r?.type === "tree" ? r.oid : null;
      if (lTree || rTree) await this.walk(lTree, rTree, path + "/", out);
      const lFile = l && l.type !== "tree";
      const rFile = r && r.type !== "tree";
      if (lFile && rFile) out.push({ path, change: "modified" });
      else if (lFile) out.push({ path, change: "deleted" });
      else if (rFile) out.push({ path, change: "added" });
    }
  }
}

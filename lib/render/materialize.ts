// Writes a repository's tree at one commit into a private folder so kustomize and helm
// (which read files) can run. Every path is checked to stay inside that folder; symlinks
// and submodules are skipped. Trees are cached per commit, written once.
import fs from "node:fs";
import path from "node:path";
import git from "isomorphic-git";
import { randomBytes } from "node:crypto";

const KEEP_TREES = 20;
// Renders of one commit that overlap in this process share one write.
const inFlight = new Map<string, Promise<string>>();

export function materializeCommit(gitdir: string, commit: string, rootDir: string): Promise<string> {
  const target = path.join(rootDir, commit);
  const running = inFlight.get(target);
  if (running) return running;
  const job = materialize(gitdir, commit, rootDir, target).finally(() => inFlight.delete(target));
  inFlight.set(target, job);
  return job;
}

const isComplete = (dir: string) => fs.existsSync(path.join(dir, ".tideline-complete"));

async function materialize(gitdir: string, commit: string, rootDir: string, target: string): Promise<string> {
  if (isComplete(target)) {
    const now = new Date();
    await fs.promises.utimes(target, now, now).catch(() => {}); // marks it recently used
    return target;
  }
  const staging = `${target}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  await fs.promises.mkdir(staging, { recursive: true });
  const cache = {};
  const base = path.resolve(staging);
  async function writeTree(oid: string, rel: string): Promise<void> {
    const { tree } = await git.readTree({ fs, gitdir, oid, cache });
    for (const entry of tree) {
      if (entry.path === "." || entry.path === ".." || entry.path.includes("/") || entry.path.includes("\\") || entry.path.includes("\0")) continue;
      const relPath = rel ? `${rel}/${entry.path}` : entry.path;
      const abs = path.resolve(base, relPath);
      if (!abs.startsWith(base + path.sep)) continue; // never write outside the folder
      if (entry.type === "tree") {
        await fs.promises.mkdir(abs, { recursive: true });
        await writeTree(entry.oid, relPath);
      } else if (entry.type === "blob" && entry.mode !== "120000") {
        const { blob } = await git.readBlob({ fs, gitdir, oid: entry.oid, cache });
        await fs.promises.writeFile(abs, blob, { mode: entry.mode === "100755" ? 0o755 : 0o644 });
      }
    }
  }
  const { commit: c } = await git.readCommit({ fs, gitdir, oid: commit, cache });
  await writeTree(c.tree, "");
  await fs.promises.writeFile(path.join(staging, ".tideline-complete"), commit);
  if (isComplete(target)) {
    // Another process finished the same tree meanwhile: never remove a tree someone may be reading.
    await fs.promises.rm(staging, { recursive: true, force: true });
    return target;
  }
  await fs.promises.rm(target, { recursive: true, force: true }); // an incomplete leftover of a crash
  await fs.promises.rename(staging, target).catch(async (e) => {
    // Another render materialized the same commit first; use theirs.
    await fs.promises.rm(staging, { recursive: true, force: true });
    if (!fs.existsSync(path.join(target, ".tideline-complete"))) throw e;
  });
  await pruneOldTrees(rootDir, target);
  return target;
}

/** Keeps the most recently used trees of a repository; renders are cached, so older ones are rarely needed again. */
async function pruneOldTrees(rootDir: string, keep: string): Promise<void> {
  const entries = await fs.promises.readdir(rootDir, { withFileTypes: true }).catch(() => []);
  const trees = await Promise.all(
    entries
      .filter((e) => e.isDirectory() && /^[0-9a-f]{40}$/.test(e.name))
      .map(async (e) => ({ dir: path.join(rootDir, e.name), used: (await fs.promises.stat(path.join(rootDir, e.name))).mtimeMs })),
  );
  const old = trees
    .filter((t) => t.dir !== keep)
    .sort((a, b) => b.used - a.used)
    .slice(KEEP_TREES - 1);
  await Promise.all(old.map((t) => fs.promises.rm(t.dir, { recursive: true, force: true })));
}

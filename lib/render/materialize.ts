// Writes a repository's tree at one commit into a private folder so kustomize and helm
// (which read files) can run. Every path is checked to stay inside that folder; symlinks
// and submodules are skipped. Trees are cached per commit, written once.
import fs from "node:fs";
import path from "node:path";
import git from "isomorphic-git";

export async function materializeCommit(gitdir: string, commit: string, rootDir: string): Promise<string> {
  const target = path.join(rootDir, commit);
  if (fs.existsSync(path.join(target, ".tideline-complete"))) return target;
  const staging = `${target}.tmp-${process.pid}-${Date.now()}`;
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
  await fs.promises.rm(target, { recursive: true, force: true });
  await fs.promises.rename(staging, target).catch(async (e) => {
    // Another render materialized the same commit first; use theirs.
    await fs.promises.rm(staging, { recursive: true, force: true });
    if (!fs.existsSync(path.join(target, ".tideline-complete"))) throw e;
  });
  return target;
}

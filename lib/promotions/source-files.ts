// Reads the text files an environment's render starts from (its folder and Helm values
// files) at a commit, in one `git cat-file --batch` pass, so previews stay fast.
import type { Environment } from "../generated/prisma/client";
import { runGitRaw } from "../git/write-commit";
import { runGitIn } from "../git/git-cli";

const MAX_BYTES = 1_000_000;
const TEXT = /\.(ya?ml|json)$|(^|\/)Kustomization$/;

export async function listFiles(gitdir: string, commit: string, dir: string): Promise<string[]> {
  const r = await runGitRaw(gitdir, ["ls-tree", "-r", "-z", "--name-only", commit, ...(dir ? ["--", dir] : [])]);
  if (r.code !== 0) return [];
  return r.stdout.split("\0").filter(Boolean);
}

/** path -> content for the given paths at `commit` (missing, binary or huge files are left out). */
export async function readFiles(gitdir: string, commit: string, paths: string[]): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  if (paths.length === 0) return files;
  const out = await runGitIn(gitdir, ["cat-file", "--batch"], paths.map((p) => `${commit}:${p}`).join("\n") + "\n");
  let offset = 0;
  for (const p of paths) {
    const nl = out.indexOf(10, offset);
    const header = out.subarray(offset, nl).toString();
    offset = nl + 1;
    const m = header.match(/^[0-9a-f]{40} (\w+) (\d+)$/);
    if (!m) continue; // "<name> missing"
    const size = Number(m[2]);
    const body = out.subarray(offset, offset + size);
    offset += size + 1;
    if (m[1] !== "blob" || size > MAX_BYTES || body.includes(0)) continue;
    files.set(p, body.toString("utf8"));
  }
  return files;
}

export async function environmentSourceFiles(gitdir: string, commit: string, env: Pick<Environment, "path" | "helmValuesFiles">): Promise<Map<string, string>> {
  const inFolder = (await listFiles(gitdir, commit, env.path)).filter((p) => TEXT.test(p));
  return readFiles(gitdir, commit, [...new Set([...inFolder, ...env.helmValuesFiles])]);
}

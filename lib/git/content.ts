// Reads trees and files at a commit from the mirror, classifying binary and oversized
// files so the UI shows them as such instead of rendering them.
import fs from "node:fs";
import git from "isomorphic-git";
import { notFound } from "../errors";

export interface TreeEntry {
  name: string;
  path: string;
  type: "tree" | "blob" | "commit";
  mode: string;
  oid: string;
}

export type FileContent =
  | { kind: "text"; path: string; size: number; content: string }
  | { kind: "binary"; path: string; size: number }
  | { kind: "too_large"; path: string; size: number; limit: number };

const gitErr = (e: unknown) => (e as { code?: string }).code;

export async function resolveCommit(gitdir: string, ref: string): Promise<string> {
  try {
    const oid = /^[0-9a-f]{40}$/.test(ref) ? ref : await git.resolveRef({ fs, gitdir, ref: `refs/remotes/origin/${ref}` });
    await git.readCommit({ fs, gitdir, oid });
    return oid;
  } catch {
    throw notFound(`Revision "${ref}" is not in the mirror (fetch the repository, or check the branch name)`);
  }
}

export async function listTree(gitdir: string, commit: string, dir: string): Promise<TreeEntry[]> {
  try {
    const { tree } = await git.readTree({ fs, gitdir, oid: commit, filepath: dir || undefined });
    return tree
      .map((e) => ({ name: e.path, path: dir ? `${dir}/${e.path}` : e.path, type: e.type, mode: e.mode, oid: e.oid }))
      .sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name) : a.type === "tree" ? -1 : 1));
  } catch (e) {
    if (gitErr(e) === "NotFoundError" || gitErr(e) === "ObjectTypeError") throw notFound(`Folder "${dir}" does not exist at ${commit.slice(0, 7)}`);
    throw e;
  }
}

export function looksBinary(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, 8000);
  for (let i = 0; i < end; i++) if (bytes[i] === 0) return true;
  return false;
}

/** Reads a file; returns null when it does not exist at that commit. */
export async function readFileAt(gitdir: string, commit: string, path: string, maxBytes: number): Promise<FileContent | null> {
  let blob: Uint8Array;
  try {
    ({ blob } = await git.readBlob({ fs, gitdir, oid: commit, filepath: path }));
  } catch (e) {
    if (gitErr(e) === "NotFoundError" || gitErr(e) === "ObjectTypeError") return null;
    throw e;
  }
  if (blob.length > maxBytes) return { kind: "too_large", path, size: blob.length, limit: maxBytes };
  if (looksBinary(blob)) return { kind: "binary", path, size: blob.length };
  return { kind: "text", path, size: blob.length, content: Buffer.from(blob).toString("utf8") };
}

// Repository-relative paths arrive from users and from repositories themselves; they are
// only ever looked up inside Git objects, and this check keeps them well-formed.
import { invalid } from "../errors";

export function normalizeRepoPath(raw: string | null | undefined, field = "path"): string {
  const value = (raw ?? "").trim();
  if (value === "" || value === "/" || value === ".") return "";
  if (value.includes("\0")) throw invalid(`${field} contains a NUL byte`, { field });
  if (value.startsWith("/")) throw invalid(`${field} must be relative to the repository root (no leading "/")`, { field });
  const segments = value.replace(/\/+$/, "").split("/");
  if (segments.some((s) => s === ".." || s === "." || s === "")) {
    throw invalid(`${field} "${value}" must not contain "..", "." or empty segments`, { field });
  }
  return segments.join("/");
}

/** A subset of git check-ref-format: what a branch name may look like before we use it in a ref path. */
export function isSafeBranchName(name: string): boolean {
  if (!name || name.length > 250) return false;
  if (name.startsWith("/") || name.endsWith("/") || name.endsWith(".lock") || name.endsWith(".")) return false;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: git check-ref-format refuses control characters; so does this.
  if (/(^|\/)\.|\.\.|\/\/|@\{|[\x00-\x20\x7f~^:?*[\\]/.test(name)) return false;
  return true;
}

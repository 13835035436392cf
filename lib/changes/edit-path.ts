// What a file path in an edit may look like; pure, so the editor checks names as they are
// typed with the same rule the API enforces (lib/changes/schemas.ts).
import { controlCharacterIn } from "../limits/control-characters";

// Control characters are refused before anything is trimmed: a newline or tab in a path would
// reach `git update-index --index-info` and could smuggle extra index entries (a symlink, a gitlink).
export function editPathProblem(raw: string): string | null {
  const control = controlCharacterIn(raw);
  if (control) return `contains ${control}`;
  const path = raw.trim();
  if (!path) return "is empty";
  if (path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path)) return 'must be relative to the repository root (no leading "/")';
  if (path.includes("\\")) return 'must use "/" between folders, not "\\"';
  if (path.endsWith("/")) return "must name a file, not a folder";
  const segments = path.split("/");
  if (segments.some((s) => s === "..")) return 'must not contain ".."';
  if (segments.some((s) => s === "." || s === "")) return 'must not contain "." or empty segments';
  if (segments.some((s) => s.toLowerCase() === ".git")) return "must not be inside .git";
  if (path.length > 1000) return "is longer than 1,000 characters";
  return null;
}

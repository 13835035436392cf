import type { FileContent } from "../repositories/types";

/** What to show instead of contents for binary and oversized files; null when the file is text. */
export function FileNotice({ file }: { file: FileContent | null }) {
  if (!file) return <p className="text-sm text-slate-500">(file absent on this side)</p>;
  if (file.kind === "binary")
    return (
      <p data-testid="file-binary" className="text-sm text-slate-600">
        Binary file ({file.size.toLocaleString()} bytes) — not shown.
      </p>
    );
  if (file.kind === "too_large")
    return (
      <p data-testid="file-too-large" className="text-sm text-slate-600">
        File too large to show ({file.size.toLocaleString()} bytes; limit {file.limit.toLocaleString()}).
      </p>
    );
  return null;
}

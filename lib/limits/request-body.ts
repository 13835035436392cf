// How large a proposal may be: each file up to the configured file limit (TIDELINE_MAX_FILE_BYTES,
// the same limit the editor opens files with), and a request body that fits such files JSON-escaped.
import { AppError } from "../errors";

const MB = 1024 * 1024;
export const formatBytes = (n: number) => (n >= MB ? `${Math.round((n / MB) * 10) / 10} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} bytes`);

/** JSON escaping of YAML rarely adds more than a few percent; 4x leaves room for quote-heavy files and several of them. */
export const proposalBodyBytes = (maxFileBytes: number) => 4 * maxFileBytes + MB;

export const proposalBodyHint = (maxFileBytes: number) => `a proposal carries files of up to ${formatBytes(maxFileBytes)} each (TIDELINE_MAX_FILE_BYTES)`;

/** 413 naming the first file over the limit. */
export function assertProposalFileSizes(files: Array<{ path: string; content: string | null }>, maxFileBytes: number): void {
  for (const f of files) {
    if (f.content === null) continue;
    const size = Buffer.byteLength(f.content, "utf8");
    if (size > maxFileBytes) {
      throw new AppError("too_large", `${f.path} is ${formatBytes(size)}; files up to ${formatBytes(maxFileBytes)} can be proposed (TIDELINE_MAX_FILE_BYTES)`, {
        field: "files",
        path: f.path,
        size,
        limit: maxFileBytes,
      });
    }
  }
}

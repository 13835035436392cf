"use client";
// The files a promotion writes, each opening its Monaco diff (target branch now ← after).
import { useState } from "react";
import { DiffView } from "../code/diff-view";
import type { PromotionPreview } from "./types";

const MARK = { added: "A", modified: "M", deleted: "D" };

export function PreviewFiles({ files }: { files: PromotionPreview["files"] }) {
  const [selected, setSelected] = useState(files[0]?.path ?? null);
  const file = files.find((f) => f.path === selected);
  if (files.length === 0) return <p className="text-sm text-slate-500">No file changes.</p>;
  return (
    <div data-testid="preview-files" className="space-y-2">
      <ul className="flex flex-wrap gap-1 text-xs">
        {files.map((f) => (
          <li key={f.path}>
            <button
              type="button"
              data-testid={`preview-file-${f.path}`}
              onClick={() => setSelected(f.path)}
              className={`rounded border px-2 py-1 font-mono ${selected === f.path ? "border-sky-500 bg-sky-50" : "border-slate-200 bg-white"}`}
            >
              {MARK[f.change]} {f.path}
            </button>
          </li>
        ))}
      </ul>
      {file &&
        (file.before !== null || file.after !== null ? (
          <DiffView path={file.path} before={file.before ?? ""} after={file.after ?? ""} height={260} />
        ) : (
          <p className="text-sm text-slate-500">Binary or large file; not shown.</p>
        ))}
    </div>
  );
}

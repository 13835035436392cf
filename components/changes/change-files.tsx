"use client";
// The files of a change request, each opening its Monaco diff (merge base ← head).
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { ErrorBox } from "../ui";
import { DiffView } from "../code/diff-view";
import { FileNotice } from "../code/file-notice";
import { FileChangeMark } from "./badges";
import type { ChangeFile, FileDiff } from "./types";

export function ChangeFiles({ changeId, files }: { changeId: string; files: ChangeFile[] }) {
  const [selected, setSelected] = useState<string | null>(files[0]?.path ?? null);
  if (files.length === 0) return <p className="text-sm text-slate-500">No file changes (the branch may have been rewritten outside Tideline).</p>;
  return (
    <div className="grid grid-cols-1 gap-3 lg:grid-cols-[18rem_1fr]">
      <ul className="rounded border border-slate-200 bg-white text-sm" data-testid="change-files">
        {files.map((f) => (
          <li key={f.path}>
            <button
              type="button"
              data-testid={`change-file-${f.path}`}
              onClick={() => setSelected(f.path)}
              className={`flex w-full items-center gap-1 truncate px-3 py-1.5 text-left font-mono text-xs hover:bg-slate-50 ${selected === f.path ? "bg-sky-50" : ""}`}
            >
              <FileChangeMark change={f.change} /> {f.path}
            </button>
          </li>
        ))}
      </ul>
      {selected && <FileDiffPanel changeId={changeId} path={selected} />}
    </div>
  );
}

function FileDiffPanel({ changeId, path }: { changeId: string; path: string }) {
  const diff = useQuery({
    queryKey: ["change-diff", changeId, path],
    queryFn: () => api<FileDiff>(`/api/changes/${changeId}/diff?path=${encodeURIComponent(path)}`),
  });
  if (diff.error) return <ErrorBox error={diff.error} />;
  if (!diff.data) return <p className="text-sm text-slate-500">Loading diff…</p>;
  const { before, after } = diff.data;
  const text = (f: typeof before) => (f?.kind === "text" ? f.content : "");
  const notText = [before, after].find((f) => f && f.kind !== "text");
  return (
    <div className="space-y-2" data-testid="change-file-diff">
      <h3 className="font-mono text-sm">{path}</h3>
      {notText ? <FileNotice file={notText} /> : <DiffView path={path} before={text(before)} after={text(after)} height={420} />}
    </div>
  );
}

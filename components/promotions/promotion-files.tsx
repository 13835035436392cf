"use client";
// The files a promotion changed, with diffs: from its change request, or from its direct commit.
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { ErrorBox } from "../ui";
import { DiffView } from "../code/diff-view";
import { FileNotice } from "../code/file-notice";
import { promotionApi } from "./api";
import type { FileDiff, PromotionDetail } from "./types";

function diffUrl(p: PromotionDetail, path: string): string | null {
  const q = `?path=${encodeURIComponent(path)}`;
  if (p.changeRequest) return `/api/changes/${p.changeRequest.id}/diff${q}`;
  if (p.commitSha && p.kind === "promotion") return `/api/repositories/${p.targetEnvironment.repositoryId}/commits/${p.commitSha}/diff${q}`;
  return null;
}

export function PromotionFiles({ promotion }: { promotion: PromotionDetail }) {
  const files = promotion.summary.files ?? [];
  const [selected, setSelected] = useState(files[0]?.path ?? null);
  if (files.length === 0) return null;
  const url = selected ? diffUrl(promotion, selected) : null;
  return (
    <section id="diff" className="space-y-2" data-testid="promotion-files">
      <h2 className="font-medium">Files</h2>
      <ul className="flex flex-wrap gap-1 text-xs">
        {files.map((f) => (
          <li key={f.path}>
            <button
              type="button"
              onClick={() => setSelected(f.path)}
              className={`rounded border px-2 py-1 font-mono ${selected === f.path ? "border-sky-500 bg-sky-50" : "border-slate-200 bg-white"}`}
            >
              {f.change[0]!.toUpperCase()} {f.path}
            </button>
          </li>
        ))}
      </ul>
      {selected &&
        (url ? <FileDiffPanel url={url} path={selected} /> : <p className="text-sm text-slate-500">The diff is available once the change is committed.</p>)}
    </section>
  );
}

function FileDiffPanel({ url, path }: { url: string; path: string }) {
  const diff = useQuery({ queryKey: ["promotion-file-diff", url], queryFn: () => promotionApi<FileDiff>(url) });
  if (diff.error) return <ErrorBox error={diff.error} />;
  if (!diff.data) return <p className="text-sm text-slate-500">Loading diff…</p>;
  const { before, after } = diff.data;
  const notText = [before, after].find((f) => f && f.kind !== "text");
  if (notText) return <FileNotice file={notText} />;
  return <DiffView path={path} before={before?.kind === "text" ? before.content : ""} after={after?.kind === "text" ? after.content : ""} height={320} />;
}

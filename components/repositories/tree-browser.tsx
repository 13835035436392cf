"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { ErrorBox, shortSha } from "../ui";
import { FileView } from "../code/file-view";
import { FileNotice } from "../code/file-notice";
import type { FileContent } from "./types";

interface TreeEntry {
  name: string;
  path: string;
  type: "tree" | "blob" | "commit";
}

export function TreeBrowser({
  repositoryId,
  gitRef,
  path,
  file,
  canEdit = false,
}: {
  repositoryId: string;
  gitRef: string;
  path: string;
  file: string | null;
  canEdit?: boolean;
}) {
  const tree = useQuery({
    queryKey: ["tree", repositoryId, gitRef, path],
    queryFn: () =>
      api<{ commit: string; path: string; entries: TreeEntry[] }>(
        `/api/repositories/${repositoryId}/tree?ref=${encodeURIComponent(gitRef)}&path=${encodeURIComponent(path)}`,
      ),
  });
  const href = (p: string, f?: string) =>
    `/repositories/${repositoryId}/tree?ref=${encodeURIComponent(gitRef)}&path=${encodeURIComponent(p)}${f ? `&file=${encodeURIComponent(f)}` : ""}`;
  const crumbs = path ? path.split("/") : [];
  return (
    <div className="space-y-4">
      <Link href={`/repositories/${repositoryId}`} className="text-sm text-sky-700 hover:underline">
        ← History
      </Link>
      <p className="text-sm text-slate-600">
        At <span className="font-mono">{gitRef || "default branch"}</span>
        {tree.data && <> ({shortSha(tree.data.commit)})</>} ·{" "}
        <Link href={href("")} className="text-sky-700">
          root
        </Link>
        {crumbs.map((c, i) => (
          <span key={i}>
            {" "}
            /{" "}
            <Link className="text-sky-700" href={href(crumbs.slice(0, i + 1).join("/"))}>
              {c}
            </Link>
          </span>
        ))}
      </p>
      <ErrorBox error={tree.error} />
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-[18rem_1fr]">
        <ul className="rounded border border-slate-200 bg-white text-sm" data-testid="tree-entries">
          {(tree.data?.entries ?? []).map((e) => (
            <li key={e.path} className="border-b border-slate-100 last:border-0">
              <Link href={e.type === "tree" ? href(e.path) : href(path, e.path)} className="block truncate px-3 py-1.5 font-mono text-xs hover:bg-slate-50">
                {e.type === "tree" ? "📁" : "📄"} {e.name}
              </Link>
            </li>
          ))}
        </ul>
        {file && tree.data && (
          <FilePanel
            repositoryId={repositoryId}
            commit={tree.data.commit}
            path={file}
            editHref={canEdit ? `/repositories/${repositoryId}/edit?ref=${encodeURIComponent(gitRef)}&file=${encodeURIComponent(file)}` : null}
          />
        )}
      </div>
    </div>
  );
}

function FilePanel({ repositoryId, commit, path, editHref }: { repositoryId: string; commit: string; path: string; editHref: string | null }) {
  const file = useQuery({
    queryKey: ["file", repositoryId, commit, path],
    queryFn: () => api<{ file: FileContent }>(`/api/repositories/${repositoryId}/file?ref=${commit}&path=${encodeURIComponent(path)}`),
  });
  if (file.error) return <ErrorBox error={file.error} />;
  if (!file.data) return <p className="text-sm text-slate-500">Loading…</p>;
  const f = file.data.file;
  return (
    <div className="space-y-2">
      <h2 className="font-mono text-sm">
        {path} <span className="text-slate-500">({f.size.toLocaleString()} bytes)</span>
        {editHref && (
          <Link data-testid="edit-file" href={editHref} className="ml-3 font-sans text-sky-700 hover:underline">
            Edit
          </Link>
        )}
      </h2>
      {f.kind === "text" ? <FileView path={path} content={f.content} /> : <FileNotice file={f} />}
    </div>
  );
}

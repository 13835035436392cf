"use client";
import Link from "next/link";
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { ErrorBox, shortSha } from "../ui";
import { DiffView } from "../code/diff-view";
import { FileNotice } from "../code/file-notice";
import type { FileContent } from "./types";

interface CommitDetail {
  sha: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  authoredAt: string;
  committerName: string;
  committedAt: string;
  message: string;
  files: Array<{ path: string; change: string }>;
}

export function CommitView({ repositoryId, sha }: { repositoryId: string; sha: string }) {
  const commit = useQuery({
    queryKey: ["commit", repositoryId, sha],
    queryFn: () => api<{ commit: CommitDetail }>(`/api/repositories/${repositoryId}/commits/${sha}`),
  });
  const [chosen, setChosen] = useState<string | null>(null);
  if (commit.error) return <ErrorBox error={commit.error} />;
  const c = commit.data?.commit;
  if (!c) return <p className="text-slate-500">Loading…</p>;
  const selected = chosen ?? c.files[0]?.path ?? null;
  const [title, ...body] = c.message.split("\n");
  return (
    <div className="space-y-4">
      <Link href={`/repositories/${repositoryId}`} className="text-sm text-sky-700 hover:underline">
        ← History
      </Link>
      <div className="rounded border border-slate-200 bg-white p-4">
        <h1 className="text-xl font-semibold" data-testid="commit-title">
          {title}
        </h1>
        {body.join("\n").trim() && <pre className="mt-2 whitespace-pre-wrap text-sm text-slate-700">{body.join("\n").trim()}</pre>}
        <p className="mt-2 text-sm text-slate-600">
          <span className="font-mono">{c.sha}</span> · {c.authorName} &lt;{c.authorEmail}&gt; · {new Date(c.authoredAt).toLocaleString()}
          {c.parents.length > 0 && (
            <>
              {" "}
              · parent{c.parents.length > 1 ? "s" : ""}{" "}
              {c.parents.map((p) => (
                <Link key={p} className="font-mono text-sky-700" href={`/repositories/${repositoryId}/commits/${p}`}>
                  {shortSha(p)}{" "}
                </Link>
              ))}
            </>
          )}
        </p>
        {c.parents.length > 1 && <p className="mt-1 text-xs text-slate-500">Merge commit: changes are shown against the first parent.</p>}
      </div>
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-[18rem_1fr]">
        <ul className="space-y-1 text-sm" data-testid="changed-files">
          {c.files.map((f) => (
            <li key={f.path}>
              <button
                type="button"
                onClick={() => setChosen(f.path)}
                className={`w-full truncate rounded px-2 py-1 text-left font-mono text-xs ${f.path === selected ? "bg-sky-100" : "hover:bg-slate-100"}`}
                title={f.path}
              >
                {f.change[0]?.toUpperCase()} {f.path}
              </button>
            </li>
          ))}
          {c.files.length === 0 && <li className="text-slate-500">No file changes.</li>}
        </ul>
        {selected && <FileDiff repositoryId={repositoryId} sha={sha} path={selected} />}
      </div>
    </div>
  );
}

function FileDiff({ repositoryId, sha, path }: { repositoryId: string; sha: string; path: string }) {
  const diff = useQuery({
    queryKey: ["diff", repositoryId, sha, path],
    queryFn: () =>
      api<{ before: FileContent | null; after: FileContent | null }>(`/api/repositories/${repositoryId}/commits/${sha}/diff?path=${encodeURIComponent(path)}`),
  });
  if (diff.error) return <ErrorBox error={diff.error} />;
  if (!diff.data) return <p className="text-sm text-slate-500">Loading diff…</p>;
  const { before, after } = diff.data;
  const text = (f: FileContent | null) => (f?.kind === "text" ? f.content : f ? null : "");
  const left = text(before);
  const right = text(after);
  return (
    <div className="space-y-2">
      <h2 className="font-mono text-sm">{path}</h2>
      {left === null || right === null ? (
        <div className="space-y-1 rounded border border-slate-200 bg-white p-4">
          <FileNotice file={before} />
          <FileNotice file={after} />
        </div>
      ) : (
        <DiffView path={path} before={left} after={right} />
      )}
    </div>
  );
}

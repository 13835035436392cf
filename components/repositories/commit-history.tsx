"use client";
import Link from "next/link";
import { useInfiniteQuery } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox, shortSha } from "../ui";
import type { CommitSummary } from "./types";

const CHANGE_STYLE: Record<string, string> = { added: "text-emerald-700", modified: "text-amber-700", deleted: "text-rose-700" };

export function CommitHistory({ repositoryId, branch, path }: { repositoryId: string; branch: string; path: string }) {
  const history = useInfiniteQuery({
    queryKey: ["commits", repositoryId, branch, path],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => {
      const qs = new URLSearchParams({ branch, limit: "50" });
      if (path) qs.set("path", path);
      if (pageParam) qs.set("cursor", pageParam);
      return api<{ items: CommitSummary[]; nextCursor: string | null }>(`/api/repositories/${repositoryId}/commits?${qs}`);
    },
    getNextPageParam: (last) => last.nextCursor,
  });
  const commits = history.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="space-y-3">
      <ErrorBox error={history.error} />
      <ol className="divide-y divide-slate-100 rounded border border-slate-200 bg-white" data-testid="commit-list">
        {commits.map((c) => (
          <li key={c.sha} className="px-4 py-3" data-testid="commit-row">
            <div className="flex items-baseline gap-3">
              <Link href={`/repositories/${repositoryId}/commits/${c.sha}`} className="font-mono text-xs text-sky-700 hover:underline">
                {shortSha(c.sha)}
              </Link>
              <span className="font-medium">{c.message.split("\n")[0]}</span>
              <span className="ml-auto whitespace-nowrap text-xs text-slate-500" title={c.committedAt}>
                {c.authorName} · {new Date(c.committedAt).toLocaleString()}
              </span>
            </div>
            <ul className="mt-1 flex flex-wrap gap-x-4 font-mono text-xs text-slate-600">
              {c.files.map((f) => (
                <li key={f.path}>
                  <span className={CHANGE_STYLE[f.change]}>{f.change[0]?.toUpperCase()}</span> {f.path}
                </li>
              ))}
              {c.filesChanged > c.files.length && <li>… {c.filesChanged - c.files.length} more</li>}
            </ul>
          </li>
        ))}
        {commits.length === 0 && !history.isLoading && <li className="px-4 py-6 text-center text-slate-500">No commits{path ? ` touching ${path}` : ""}.</li>}
      </ol>
      {history.hasNextPage && (
        <Button variant="secondary" onClick={() => history.fetchNextPage()} disabled={history.isFetchingNextPage}>
          {history.isFetchingNextPage ? "Loading…" : "Load older commits"}
        </Button>
      )}
    </div>
  );
}

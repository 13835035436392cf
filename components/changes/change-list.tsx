"use client";
// Change requests across repositories: status tabs, filters (repository, kind, author),
// approvals, provider badge and link.
import Link from "next/link";
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { ErrorBox, relativeTime } from "../ui";
import type { Repository } from "../repositories/types";
import { ChangeStatusBadge, ProviderBadge } from "./badges";
import type { ChangeSummary } from "./types";

const TABS = ["open", "merged", "closed", "all"] as const;
const KINDS = ["edit", "promotion", "rollback", "image-update"] as const;

export function ChangeList({ initialRepositoryId }: { initialRepositoryId?: string }) {
  const [status, setStatus] = useState<(typeof TABS)[number]>("open");
  const [repositoryId, setRepositoryId] = useState(initialRepositoryId ?? "");
  const [kind, setKind] = useState("");
  const [author, setAuthor] = useState("");
  const [page, setPage] = useState(1);
  const qs = new URLSearchParams({ status, page: String(page) });
  if (repositoryId) qs.set("repositoryId", repositoryId);
  if (kind) qs.set("kind", kind);
  if (author.trim()) qs.set("author", author.trim().toLowerCase());
  const list = useQuery({
    queryKey: ["changes", qs.toString()],
    queryFn: () => api<{ total: number; page: number; pageSize: number; items: ChangeSummary[] }>(`/api/changes?${qs}`),
    refetchInterval: 10_000,
  });
  const repos = useQuery({ queryKey: ["repositories"], queryFn: () => api<{ items: Repository[] }>("/api/repositories") });
  const pages = list.data ? Math.max(1, Math.ceil(list.data.total / list.data.pageSize)) : 1;
  const reset =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setPage(1);
    };

  return (
    <div className="space-y-3">
      <nav className="flex gap-4 border-b border-slate-200 text-sm" data-testid="change-status-tabs">
        {TABS.map((t) => (
          <button
            type="button"
            key={t}
            data-testid={`change-tab-${t}`}
            onClick={() => reset(setStatus)(t)}
            className={`-mb-px border-b-2 px-1 py-2 capitalize ${status === t ? "border-sky-600 text-sky-800" : "border-transparent text-slate-600"}`}
          >
            {t}
          </button>
        ))}
      </nav>
      <div className="flex flex-wrap items-end gap-3 text-sm">
        <label>
          <span className="block text-slate-600">Repository</span>
          <select
            data-testid="change-filter-repository"
            value={repositoryId}
            onChange={(e) => reset(setRepositoryId)(e.target.value)}
            className="mt-1 rounded border border-slate-300 px-2 py-1.5"
          >
            <option value="">All repositories</option>
            {(repos.data?.items ?? []).map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className="block text-slate-600">Kind</span>
          <select
            data-testid="change-filter-kind"
            value={kind}
            onChange={(e) => reset(setKind)(e.target.value)}
            className="mt-1 rounded border border-slate-300 px-2 py-1.5"
          >
            <option value="">All kinds</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className="block text-slate-600">Author</span>
          <input
            data-testid="change-filter-author"
            value={author}
            onChange={(e) => reset(setAuthor)(e.target.value)}
            placeholder="username"
            className="mt-1 w-40 rounded border border-slate-300 px-2 py-1.5"
          />
        </label>
      </div>
      <ErrorBox error={list.error} />
      <table className="w-full rounded border border-slate-200 bg-white text-sm" data-testid="change-table">
        <thead className="bg-slate-100 text-left text-slate-600">
          <tr>
            <th className="px-3 py-2">Change</th>
            <th className="px-3 py-2">Repository</th>
            <th className="px-3 py-2">Status</th>
            <th className="px-3 py-2">Approvals</th>
            <th className="px-3 py-2">Where</th>
            <th className="px-3 py-2">Opened</th>
          </tr>
        </thead>
        <tbody>
          {(list.data?.items ?? []).map((c) => (
            <tr key={c.id} className="border-t border-slate-100" data-testid={`change-row-${c.repositoryName}-${c.number}`}>
              <td className="px-3 py-2">
                <Link href={`/changes/${c.id}`} className="font-medium text-sky-700 hover:underline">
                  #{c.number} {c.title}
                </Link>
                <div className="text-xs text-slate-500">
                  {c.kind} · by {c.authorName} ·{" "}
                  <span className="font-mono">
                    {c.baseBranch} ← {c.headBranch}
                  </span>
                </div>
              </td>
              <td className="px-3 py-2">{c.repositoryName}</td>
              <td className="px-3 py-2">
                <ChangeStatusBadge status={c.status} />
              </td>
              <td className="px-3 py-2" data-testid="change-approvals">
                {c.approvals}
                {c.requiredReviews > 0 ? ` / ${c.requiredReviews} required` : ""}
                {c.changesRequested > 0 && <span className="ml-1 text-xs text-rose-700">· {c.changesRequested} change request(s)</span>}
              </td>
              <td className="px-3 py-2">
                <ProviderBadge provider={c.provider} url={c.externalUrl} number={c.externalNumber} />
              </td>
              <td className="px-3 py-2 text-slate-600">{relativeTime(c.createdAt)}</td>
            </tr>
          ))}
          {list.data && list.data.items.length === 0 && (
            <tr>
              <td colSpan={6} className="px-3 py-6 text-center text-slate-500">
                No change requests.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {pages > 1 && (
        <div className="flex items-center gap-2 text-sm">
          <button
            type="button"
            data-testid="change-prev"
            disabled={page <= 1}
            onClick={() => setPage(page - 1)}
            className="rounded border border-slate-300 px-2 py-1 disabled:text-slate-400"
          >
            Previous
          </button>
          <span>
            Page {page} of {pages}
          </span>
          <button
            type="button"
            data-testid="change-next"
            disabled={page >= pages}
            onClick={() => setPage(page + 1)}
            className="rounded border border-slate-300 px-2 py-1 disabled:text-slate-400"
          >
            Next
          </button>
        </div>
      )}
    </div>
  );
}

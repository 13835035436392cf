"use client";
import Link from "next/link";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox, StatusBadge, relativeTime } from "../ui";
import { FetchProgress } from "./fetch-progress";
import { fetchAndWait } from "./fetch-and-wait";
import { CommitHistory } from "./commit-history";
import { isBusy, type BranchInfo, type Repository } from "./types";

export function RepositoryView({
  id,
  canFetch,
  webhookPanel,
  canEdit = false,
  providerPanel,
}: {
  id: string;
  canFetch: boolean;
  webhookPanel?: React.ReactNode;
  canEdit?: boolean;
  providerPanel?: React.ReactNode;
}) {
  const client = useQueryClient();
  const repo = useQuery({
    queryKey: ["repository", id],
    queryFn: () => api<{ repository: Repository }>(`/api/repositories/${id}`),
    refetchInterval: (q) => (q.state.data && isBusy(q.state.data.repository) ? 1000 : 10_000),
  });
  const branches = useQuery({ queryKey: ["branches", id], queryFn: () => api<{ items: BranchInfo[] }>(`/api/repositories/${id}/branches`) });
  const [branch, setBranch] = useState<string | null>(null);
  const [path, setPath] = useState("");
  const [pathInput, setPathInput] = useState("");
  const fetchNow = useMutation({
    mutationFn: () => fetchAndWait(id),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: ["repository", id] });
      void client.invalidateQueries({ queryKey: ["branches", id] });
      void client.invalidateQueries({ queryKey: ["commits", id] });
    },
  });

  if (repo.error) return <ErrorBox error={repo.error} />;
  const r = repo.data?.repository;
  if (!r) return <p className="text-slate-500">Loading…</p>;
  const selected = branch ?? r.defaultBranch ?? branches.data?.items[0]?.name ?? "";

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-start gap-4">
        <div>
          <h1 className="text-2xl font-semibold" data-testid="repository-name">
            {r.name}
          </h1>
          <p className="font-mono text-xs text-slate-600">{r.url}</p>
          <p className="mt-1 text-sm text-slate-600">
            <StatusBadge status={r.status} /> · {r.commits ?? 0} commits · {r.branches ?? 0} branches · fetched {relativeTime(r.lastFetchedAt)}
          </p>
          {isBusy(r) && <FetchProgress progress={r.progress} />}
          {r.lastError && (
            <p className="mt-2 text-sm text-rose-700" data-testid="repository-error">
              {r.lastError}
            </p>
          )}
        </div>
        <div className="ml-auto flex gap-2">
          <Link
            href={`/repositories/${id}/tree?ref=${encodeURIComponent(selected)}`}
            className="rounded border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100"
          >
            Browse files
          </Link>
          {canEdit && (
            <Link
              data-testid="edit-files"
              href={`/repositories/${id}/edit?ref=${encodeURIComponent(selected)}`}
              className="rounded border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100"
            >
              Edit
            </Link>
          )}
          <Link
            data-testid="repository-changes"
            href={`/changes?repositoryId=${id}`}
            className="rounded border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100"
          >
            Change requests
          </Link>
          {canFetch && (
            <Button onClick={() => fetchNow.mutate()} disabled={fetchNow.isPending}>
              {fetchNow.isPending ? "Fetching…" : "Fetch now"}
            </Button>
          )}
        </div>
      </div>
      <ErrorBox error={fetchNow.error} />
      {webhookPanel}
      {providerPanel}

      <div className="flex flex-wrap items-end gap-3 rounded border border-slate-200 bg-white p-3 text-sm">
        <label>
          <span className="block text-slate-600">Branch</span>
          <select
            data-testid="branch-select"
            value={selected}
            onChange={(e) => setBranch(e.target.value)}
            className="mt-1 rounded border border-slate-300 px-2 py-1.5"
          >
            {(branches.data?.items ?? []).map((b) => (
              <option key={b.name} value={b.name}>
                {b.name}
                {b.isDefault ? " (default)" : ""}
              </option>
            ))}
          </select>
        </label>
        <form
          className="flex items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            setPath(pathInput.trim());
          }}
        >
          <label>
            <span className="block text-slate-600">Path filter</span>
            <input
              data-testid="path-filter"
              value={pathInput}
              onChange={(e) => setPathInput(e.target.value)}
              placeholder="apps/guestbook"
              className="mt-1 w-72 rounded border border-slate-300 px-2 py-1.5 font-mono"
            />
          </label>
          <Button type="submit" variant="secondary">
            Filter
          </Button>
          {path && (
            <Button
              type="button"
              variant="secondary"
              onClick={() => {
                setPath("");
                setPathInput("");
              }}
            >
              Clear
            </Button>
          )}
        </form>
      </div>
      {selected && <CommitHistory repositoryId={id} branch={selected} path={path} />}
    </div>
  );
}

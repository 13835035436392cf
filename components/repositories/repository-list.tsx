"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { ErrorBox, StatusBadge, relativeTime } from "../ui";
import { AddRepositoryForm } from "./add-repository-form";
import { FetchProgress } from "./fetch-progress";
import { isBusy, type Repository } from "./types";

export function RepositoryList({ canCreate }: { canCreate: boolean }) {
  const query = useQuery({
    queryKey: ["repositories"],
    queryFn: () => api<{ items: Repository[] }>("/api/repositories"),
    // Poll while any repository is cloning so progress shows without reloading.
    refetchInterval: (q) => (q.state.data?.items.some(isBusy) ? 1000 : 15_000),
  });
  const items = query.data?.items ?? [];
  return (
    <div className="space-y-4">
      {canCreate && <AddRepositoryForm />}
      <ErrorBox error={query.error} />
      <table className="w-full overflow-hidden rounded border border-slate-200 bg-white text-sm" data-testid="repository-table">
        <thead className="bg-slate-100 text-left text-slate-600">
          <tr>
            <th className="px-3 py-2">Name</th>
            <th className="px-3 py-2">URL</th>
            <th className="px-3 py-2">Status</th>
            <th className="px-3 py-2">Commits</th>
            <th className="px-3 py-2">Last fetch</th>
          </tr>
        </thead>
        <tbody>
          {items.map((r) => (
            <tr key={r.id} className="border-t border-slate-100 align-top" data-testid={`repository-row-${r.name}`}>
              <td className="px-3 py-2 font-medium">
                <Link className="text-sky-700 hover:underline" href={`/repositories/${r.id}`}>
                  {r.name}
                </Link>
              </td>
              <td className="px-3 py-2 font-mono text-xs text-slate-600">{r.url}</td>
              <td className="px-3 py-2">
                <StatusBadge status={r.status} />
                {isBusy(r) && <FetchProgress progress={r.progress} />}
                {r.lastError && <p className="mt-1 max-w-md text-xs text-rose-700">{r.lastError}</p>}
              </td>
              <td className="px-3 py-2">{r.commits ?? 0}</td>
              <td className="px-3 py-2 text-slate-600">{relativeTime(r.lastFetchedAt)}</td>
            </tr>
          ))}
          {items.length === 0 && !query.isLoading && (
            <tr>
              <td colSpan={5} className="px-3 py-6 text-center text-slate-500">
                No repositories tracked yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

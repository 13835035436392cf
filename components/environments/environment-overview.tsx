"use client";
import Link from "next/link";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient, keepPreviousData } from "@tanstack/react-query";
import { useUserLiveInterval } from "../live/user-live-status";
import { api } from "../api";
import { Button, ErrorBox, relativeTime, shortSha } from "../ui";
import { HealthBadge, SyncBadge } from "./badges";
import { DiscoverPanel } from "./discover-panel";
import type { EnvironmentView } from "./types";

interface Page {
  total: number;
  page: number;
  pageSize: number;
  items: EnvironmentView[];
}

export function EnvironmentOverview({ canCreate }: { canCreate: boolean }) {
  const [q, setQ] = useState("");
  const [syncStatus, setSyncStatus] = useState("");
  const [health, setHealth] = useState("");
  const [page, setPage] = useState(1);
  const params = new URLSearchParams({ page: String(page), pageSize: "50" });
  if (q) params.set("q", q);
  if (syncStatus) params.set("syncStatus", syncStatus);
  if (health) params.set("health", health);
  // Polls only while the live hint stream is down (components/live/use-live-hints.ts).
  const liveInterval = useUserLiveInterval(5_000);
  const overview = useQuery({
    queryKey: ["overview", params.toString()],
    queryFn: () => api<Page>(`/api/environments?${params}`),
    placeholderData: keepPreviousData,
    refetchInterval: liveInterval,
  });
  const pages = overview.data ? Math.max(1, Math.ceil(overview.data.total / overview.data.pageSize)) : 1;
  return (
    <div className="space-y-4">
      <div className="flex items-center gap-3">
        <h1 className="text-2xl font-semibold">Applications</h1>
        {canCreate && <CreateApplication />}
      </div>
      {canCreate && <DiscoverPanel />}
      <div className="flex flex-wrap gap-3 text-sm">
        <input
          data-testid="overview-search"
          value={q}
          onChange={(e) => {
            setQ(e.target.value);
            setPage(1);
          }}
          placeholder="Search application or environment"
          className="w-72 rounded border border-slate-300 px-2 py-1.5"
        />
        <select
          aria-label="Sync status"
          value={syncStatus}
          onChange={(e) => {
            setSyncStatus(e.target.value);
            setPage(1);
          }}
          className="rounded border border-slate-300 px-2 py-1.5"
        >
          <option value="">Any sync status</option>
          <option>Synced</option>
          <option>OutOfSync</option>
          <option>Unknown</option>
        </select>
        <select
          aria-label="Health"
          value={health}
          onChange={(e) => {
            setHealth(e.target.value);
            setPage(1);
          }}
          className="rounded border border-slate-300 px-2 py-1.5"
        >
          <option value="">Any health</option>
          <option>Healthy</option>
          <option>Progressing</option>
          <option>Degraded</option>
          <option>Suspended</option>
          <option>Missing</option>
          <option>Unknown</option>
        </select>
      </div>
      <ErrorBox error={overview.error} />
      <table className="w-full rounded border border-slate-200 bg-white text-sm" data-testid="overview-table">
        <thead className="bg-slate-100 text-left text-slate-600">
          <tr>
            <th className="px-3 py-2">Application</th>
            <th className="px-3 py-2">Environment</th>
            <th className="px-3 py-2">Sync</th>
            <th className="px-3 py-2">Health</th>
            <th className="px-3 py-2">Revision (wanted / synced)</th>
            <th className="px-3 py-2">Drift</th>
            <th className="px-3 py-2">Cluster / namespace</th>
            <th className="px-3 py-2">Checked</th>
          </tr>
        </thead>
        <tbody>
          {(overview.data?.items ?? []).map((e) => (
            <tr key={e.id} className="border-t border-slate-100" data-testid={`overview-row-${e.applicationName}-${e.name}`}>
              <td className="px-3 py-2">
                <Link className="text-sky-700 hover:underline" href={`/applications/${e.applicationId}`}>
                  {e.applicationName}
                </Link>
              </td>
              <td className="px-3 py-2">
                <Link className="font-medium text-sky-700 hover:underline" href={`/environments/${e.id}`}>
                  {e.name}
                </Link>
              </td>
              <td className="px-3 py-2">
                <SyncBadge status={e.syncStatus} />
              </td>
              <td className="px-3 py-2">
                <HealthBadge status={e.health} />
              </td>
              <td className="px-3 py-2 font-mono text-xs">
                {e.desiredRevision ? shortSha(e.desiredRevision) : "—"} / {e.syncedRevision ? shortSha(e.syncedRevision) : "—"}
              </td>
              <td className="px-3 py-2">{e.renderError ? <span className="text-rose-700">render error</span> : `${e.outOfSyncCount} of ${e.objectCount}`}</td>
              <td className="px-3 py-2 text-slate-600">
                {e.clusterName} / {e.namespace}
              </td>
              <td className="px-3 py-2 text-slate-500">{relativeTime(e.lastReconciledAt)}</td>
            </tr>
          ))}
          {overview.data?.items.length === 0 && (
            <tr>
              <td colSpan={8} className="px-3 py-6 text-center text-slate-500">
                No environments match.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <div className="flex items-center gap-3 text-sm">
        <Button variant="secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Previous
        </Button>
        <span>
          Page {page} of {pages} · {overview.data?.total ?? 0} environments
        </span>
        <Button variant="secondary" disabled={page >= pages} onClick={() => setPage(page + 1)}>
          Next
        </Button>
      </div>
    </div>
  );
}

function CreateApplication() {
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [projectId, setProjectId] = useState("default");
  const projects = useQuery({ queryKey: ["projects"], queryFn: () => api<{ items: Array<{ id: string; name: string }> }>("/api/projects") });
  const create = useMutation({
    mutationFn: () => api<{ application: { id: string } }>("/api/applications", { method: "POST", body: { name, projectId } }),
    onSuccess: (d) => {
      void client.invalidateQueries();
      window.location.href = `/applications/${d.application.id}`;
    },
  });
  return (
    <form
      className="ml-auto flex items-center gap-2 text-sm"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <input
        name="application-name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        placeholder="new-application"
        className="rounded border border-slate-300 px-2 py-1.5"
        required
      />
      <select
        name="application-project"
        aria-label="Project"
        value={projectId}
        onChange={(e) => setProjectId(e.target.value)}
        className="rounded border border-slate-300 px-2 py-1.5"
      >
        {(projects.data?.items ?? [{ id: "default", name: "default" }]).map((p) => (
          <option key={p.id} value={p.id}>
            project: {p.name}
          </option>
        ))}
      </select>
      <Button type="submit" disabled={create.isPending}>
        Create application
      </Button>
      <ErrorBox error={create.error} />
    </form>
  );
}

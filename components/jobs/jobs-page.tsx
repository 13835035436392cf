"use client";
// The Jobs page (admins): queue figures on top, then jobs newest first, filtered by state and
// queue, refreshed every few seconds; failed jobs show their error and can be retried, queued
// and running ones cancelled.
import { useState } from "react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { JobView, QueueFigures } from "@/lib/jobs/admin";
import { api } from "../api";
import { Button, ErrorBox } from "../ui";
import { JobRow } from "./job-row";
import { QueueFiguresTable } from "./queue-figures";

const STATES = ["queued", "running", "failed", "completed", "cancelled"];
const REFRESH_MS = 2_500;
type Filters = { state: string; name: string };

export function JobsPage({ initial }: { initial: Filters }) {
  const client = useQueryClient();
  const [filters, setFiltersState] = useState<Filters>(initial);
  // Cursors of the pages before the current one ("Newer" pops), and the current page's cursor.
  const [cursors, setCursors] = useState<string[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const setFilters = (next: Filters) => {
    setFiltersState(next);
    setCursors([]);
    setCursor(null);
  };

  const stats = useQuery({ queryKey: ["job-stats"], queryFn: () => api<{ queues: QueueFigures[] }>("/api/jobs/stats"), refetchInterval: REFRESH_MS });
  const qs = new URLSearchParams(Object.entries({ ...filters, ...(cursor ? { cursor } : {}) }).filter(([, v]) => v));
  const jobs = useQuery({
    queryKey: ["jobs", qs.toString()],
    queryFn: () => api<{ items: JobView[]; nextCursor: string | null }>(`/api/jobs?${qs}`),
    placeholderData: keepPreviousData,
    refetchInterval: REFRESH_MS,
  });
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ["jobs"] });
    void client.invalidateQueries({ queryKey: ["job-stats"] });
  };
  const action = useMutation({
    mutationFn: (v: { job: JobView; verb: "retry" | "cancel" }) => api(`/api/jobs/${v.job.id}/${v.verb}`, { method: "POST", body: { name: v.job.name } }),
    onSuccess: refresh,
  });
  const confirmCancel = (job: JobView) =>
    job.stateGroup !== "running" ||
    window.confirm(`Cancel the running ${job.name} job? Its handler is stopped at its next heartbeat; work already done stays done.`);

  const queues = stats.data?.queues ?? [];
  const items = jobs.data?.items ?? [];
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Jobs</h1>
      <p className="text-sm text-slate-600">
        Background work on the job engine (Postgres, shared by every Tideline process). A queue whose oldest waiting job keeps growing has no worker keeping up.
        Retry and cancel are recorded in the audit log.
      </p>
      <ErrorBox error={stats.error} />
      <QueueFiguresTable queues={queues} selected={filters.name} onSelect={(name) => setFilters({ ...filters, name })} />

      <div className="flex flex-wrap items-center gap-4 text-sm">
        <label className="flex items-center gap-2">
          <span className="text-slate-600">State</span>
          <select
            aria-label="State"
            value={filters.state}
            onChange={(e) => setFilters({ ...filters, state: e.target.value })}
            className="rounded border border-slate-300 px-2 py-1.5"
          >
            <option value="">all</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="flex items-center gap-2">
          <span className="text-slate-600">Queue</span>
          <select
            aria-label="Queue"
            value={filters.name}
            onChange={(e) => setFilters({ ...filters, name: e.target.value })}
            className="rounded border border-slate-300 px-2 py-1.5"
          >
            <option value="">all</option>
            {queues.map((q) => (
              <option key={q.name} value={q.name}>
                {q.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBox error={jobs.error ?? action.error} />
      <table className="w-full rounded border border-slate-200 bg-white text-sm" data-testid="jobs-table">
        <thead className="bg-slate-100 text-left text-slate-600">
          <tr>
            <th className="px-3 py-2">Job</th>
            <th className="px-3 py-2">State</th>
            <th className="px-3 py-2">Payload / error</th>
            <th className="px-3 py-2 text-right">Retries</th>
            <th className="px-3 py-2">Times</th>
            <th className="px-3 py-2" />
          </tr>
        </thead>
        <tbody>
          {items.map((job) => (
            <JobRow
              key={job.id}
              job={job}
              busy={action.isPending}
              onRetry={() => action.mutate({ job, verb: "retry" })}
              onCancel={() => confirmCancel(job) && action.mutate({ job, verb: "cancel" })}
            />
          ))}
          {jobs.data && items.length === 0 && (
            <tr>
              <td colSpan={6} className="px-3 py-6 text-center text-slate-500">
                No jobs{filters.state || filters.name ? " match these filters" : " yet"}.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <div className="flex items-center gap-3 text-sm">
        <Button
          variant="secondary"
          disabled={cursors.length === 0 && !cursor}
          onClick={() => {
            const prev = [...cursors];
            setCursor(prev.pop() ?? null);
            setCursors(prev);
          }}
        >
          Newer
        </Button>
        <Button
          variant="secondary"
          disabled={!jobs.data?.nextCursor}
          onClick={() => {
            if (cursor) setCursors([...cursors, cursor]);
            setCursor(jobs.data!.nextCursor);
          }}
        >
          Older
        </Button>
      </div>
    </div>
  );
}

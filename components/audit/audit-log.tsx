"use client";
import { useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox } from "../ui";

interface AuditEvent {
  id: string;
  at: string;
  actorName: string;
  action: string;
  targetType: string;
  targetId: string | null;
  details: unknown;
}

export function AuditLog() {
  const [filters, setFilters] = useState({ actor: "", action: "", targetType: "" });
  const [page, setPage] = useState(1);
  const qs = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
  const log = useQuery({
    queryKey: ["audit", qs.toString(), page],
    queryFn: () => api<{ total: number; pageSize: number; items: AuditEvent[] }>(`/api/audit?${qs}&page=${page}`),
    placeholderData: keepPreviousData,
  });
  const field = (key: keyof typeof filters, label: string) => (
    <input
      aria-label={label}
      placeholder={label}
      value={filters[key]}
      onChange={(e) => {
        setFilters({ ...filters, [key]: e.target.value });
        setPage(1);
      }}
      className="rounded border border-slate-300 px-2 py-1.5"
    />
  );
  const pages = log.data ? Math.max(1, Math.ceil(log.data.total / log.data.pageSize)) : 1;
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Audit log</h1>
      <div className="flex flex-wrap items-center gap-3 text-sm">
        {field("actor", "Who")}
        {field("action", "Action (e.g. environment.sync)")}
        {field("targetType", "Target type")}
        <a className="ml-auto text-sky-700 hover:underline" href={`/api/audit?${qs}&format=csv`}>
          Export CSV
        </a>
        <a className="text-sky-700 hover:underline" href={`/api/audit?${qs}&format=json`}>
          Export JSON
        </a>
      </div>
      <ErrorBox error={log.error} />
      <table className="w-full rounded border border-slate-200 bg-white text-sm" data-testid="audit-table">
        <thead className="bg-slate-100 text-left text-slate-600">
          <tr>
            <th className="px-3 py-2">When</th>
            <th className="px-3 py-2">Who</th>
            <th className="px-3 py-2">Action</th>
            <th className="px-3 py-2">Target</th>
            <th className="px-3 py-2">Details (before / after)</th>
          </tr>
        </thead>
        <tbody>
          {(log.data?.items ?? []).map((e) => (
            <tr key={e.id} className="border-t border-slate-100 align-top">
              <td className="px-3 py-2 whitespace-nowrap">{new Date(e.at).toLocaleString()}</td>
              <td className="px-3 py-2">{e.actorName}</td>
              <td className="px-3 py-2 font-mono text-xs">{e.action}</td>
              <td className="px-3 py-2">
                {e.targetType} <span className="font-mono text-xs text-slate-500">{e.targetId}</span>
              </td>
              <td className="px-3 py-2">
                <pre className="max-w-xl overflow-auto whitespace-pre-wrap font-mono text-xs text-slate-600">{e.details ? JSON.stringify(e.details) : ""}</pre>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="flex items-center gap-3 text-sm">
        <Button variant="secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Newer
        </Button>
        <span>
          Page {page} of {pages} · {log.data?.total ?? 0} events
        </span>
        <Button variant="secondary" disabled={page >= pages} onClick={() => setPage(page + 1)}>
          Older
        </Button>
      </div>
    </div>
  );
}

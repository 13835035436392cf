"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox, relativeTime } from "../ui";
import { RegisterClusterForm } from "./register-cluster-form";

export interface Cluster {
  id: string;
  name: string;
  server: string;
  contextName: string | null;
  defaultNamespace: string;
  status: "unknown" | "connected" | "degraded" | "unreachable";
  statusReason: string | null;
  lastError: string | null;
  serverVersion: string | null;
  permissions: Record<string, boolean> | null;
  lastCheckedAt: string | null;
}

const STATUS_STYLE: Record<Cluster["status"], string> = {
  connected: "bg-emerald-100 text-emerald-800",
  degraded: "bg-amber-100 text-amber-800",
  unreachable: "bg-rose-100 text-rose-800",
  unknown: "bg-slate-100 text-slate-700",
};

export function ClusterList({ canManage, canCheck }: { canManage: boolean; canCheck: boolean }) {
  const client = useQueryClient();
  const clusters = useQuery({ queryKey: ["clusters"], queryFn: () => api<{ items: Cluster[] }>("/api/clusters"), refetchInterval: 15_000 });
  const check = useMutation({
    mutationFn: (id: string) => api(`/api/clusters/${id}/check`, { method: "POST" }),
    onSettled: () => void client.invalidateQueries({ queryKey: ["clusters"] }),
  });
  return (
    <div className="space-y-4">
      {canManage && <RegisterClusterForm />}
      <ErrorBox error={clusters.error ?? check.error} />
      <div className="grid gap-3">
        {(clusters.data?.items ?? []).map((c) => (
          <div key={c.id} className="rounded border border-slate-200 bg-white p-4" data-testid={`cluster-${c.name}`}>
            <div className="flex flex-wrap items-baseline gap-3">
              <h2 className="text-lg font-medium">{c.name}</h2>
              <span data-testid="cluster-status" className={`rounded px-2 py-0.5 text-xs font-medium ${STATUS_STYLE[c.status]}`}>
                {c.status}
                {c.statusReason ? ` · ${c.statusReason}` : ""}
              </span>
              <span className="font-mono text-xs text-slate-600">{c.server}</span>
              <span className="text-xs text-slate-500">
                {c.serverVersion ?? "version unknown"} · namespace {c.defaultNamespace} · checked {relativeTime(c.lastCheckedAt)}
              </span>
              {canCheck && (
                <Button variant="secondary" className="ml-auto" onClick={() => check.mutate(c.id)} disabled={check.isPending}>
                  Check now
                </Button>
              )}
            </div>
            {c.lastError && (
              <p className="mt-2 text-sm text-rose-700" data-testid="cluster-error">
                {c.lastError}
              </p>
            )}
            {c.permissions && (
              <ul className="mt-2 flex flex-wrap gap-2 text-xs">
                {Object.entries(c.permissions).map(([p, ok]) => (
                  <li key={p} className={`rounded px-2 py-0.5 ${ok ? "bg-emerald-50 text-emerald-800" : "bg-rose-50 text-rose-800"}`}>
                    {ok ? "✓" : "✗"} {p}
                  </li>
                ))}
              </ul>
            )}
          </div>
        ))}
        {clusters.data?.items.length === 0 && <p className="text-slate-500">No clusters registered yet.</p>}
      </div>
    </div>
  );
}

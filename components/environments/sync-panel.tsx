"use client";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox, shortSha } from "../ui";
import { SyncBadge } from "./badges";
import type { SyncRunView } from "./types";
import { useLiveState } from "../live/live-status";

interface Preview {
  revision: string;
  prune: boolean;
  blocked: string[];
  /** Kinds the cluster does not serve: not applied, the run ends partial. */
  skipped?: string[];
  hooks?: Array<{ kind: string; name: string; phases: string[]; error: string | null }>;
  objects: Array<{ id: string; kind: string; namespace: string; name: string; syncStatus: string; error: string | null; changes: Array<{ path: string }> }>;
}

/** Sync now: a dry-run preview, a choice of objects, then live progress object by object. */
export function SyncPanel({ environmentId }: { environmentId: string }) {
  const client = useQueryClient();
  const [selected, setSelected] = useState<Set<string> | null>(null);
  const [runId, setRunId] = useState<string | null>(null);
  const live = useLiveState(environmentId);
  const preview = useMutation({
    mutationFn: () => api<Preview>(`/api/environments/${environmentId}/sync`, { method: "POST", body: { dryRun: true } }),
    onSuccess: (p) => setSelected(new Set(p.objects.filter((o) => o.syncStatus !== "Synced").map((o) => o.id))),
  });
  const sync = useMutation({
    mutationFn: (p: Preview) =>
      api<{ runId: string }>(`/api/environments/${environmentId}/sync`, {
        method: "POST",
        body: { expectedRevision: p.revision, objects: [...(selected ?? [])] },
      }),
    onSuccess: (d) => {
      setRunId(d.runId);
      preview.reset();
    },
  });
  const run = useQuery({
    queryKey: ["sync-run", runId],
    enabled: Boolean(runId),
    queryFn: () => api<{ run: SyncRunView }>(`/api/sync-runs/${runId}`),
    // While the environment's stream is live, each change of the run arrives as a "sync-run" message (which refetches this).
    refetchInterval: (q) => (q.state.data?.run.status === "running" && live !== "live" ? 500 : false),
  });
  if (run.data && run.data.run.status !== "running") void client.invalidateQueries({ queryKey: ["environment", environmentId] });
  const p = preview.data;
  const changing = p?.objects.filter((o) => o.syncStatus !== "Synced") ?? [];
  return (
    <div className="space-y-3 rounded border border-slate-200 bg-white p-4" data-testid="sync-panel">
      <div className="flex items-center gap-3">
        <Button onClick={() => preview.mutate()} disabled={preview.isPending}>
          {preview.isPending ? "Previewing…" : "Sync…"}
        </Button>
        <span className="text-sm text-slate-600">Shows a server-side dry-run first; nothing changes until you confirm.</span>
      </div>
      <ErrorBox error={preview.error ?? sync.error} />
      {p && (
        <div className="space-y-2" data-testid="sync-preview">
          <p className="text-sm">
            Sync to <span className="font-mono">{shortSha(p.revision)}</span>: {changing.length} object(s) to change{p.prune ? " (prune on)" : ""}.
          </p>
          {p.blocked.length > 0 && <p className="text-sm text-rose-700">Blocked: {p.blocked.join("; ")}</p>}
          {(p.skipped?.length ?? 0) > 0 && (
            <p className="text-sm text-amber-800" data-testid="sync-preview-skipped">
              Not applied (the sync ends partial): {p.skipped!.join("; ")}
            </p>
          )}
          {(p.hooks?.length ?? 0) > 0 && (
            <p className="text-sm text-slate-600" data-testid="sync-preview-hooks">
              Hooks (run when every changed object is selected): {p.hooks!.map((h) => `${h.phases.join(",")} ${h.kind} ${h.name}`).join("; ")}
            </p>
          )}
          <ul className="max-h-64 overflow-auto text-sm">
            {changing.map((o) => (
              <li key={o.id} className="flex items-center gap-2 py-0.5">
                <input
                  type="checkbox"
                  aria-label={`${o.kind} ${o.name}`}
                  checked={selected?.has(o.id) ?? false}
                  onChange={(e) => {
                    const next = new Set(selected);
                    if (e.target.checked) next.add(o.id);
                    else next.delete(o.id);
                    setSelected(next);
                  }}
                />
                <SyncBadge status={o.syncStatus} /> {o.kind} {o.name}
                <span className="font-mono text-xs text-slate-500">
                  {o.changes
                    .slice(0, 3)
                    .map((c) => c.path)
                    .join(", ")}
                </span>
                {o.error && <span className="text-xs text-rose-700">{o.error}</span>}
              </li>
            ))}
            {changing.length === 0 && <li className="text-slate-500">Everything already matches Git.</li>}
          </ul>
          <div className="flex gap-2">
            <Button onClick={() => sync.mutate(p)} disabled={sync.isPending || (selected?.size ?? 0) === 0}>
              Confirm sync of {selected?.size ?? 0} object(s)
            </Button>
            <Button variant="secondary" onClick={() => preview.reset()}>
              Cancel
            </Button>
          </div>
        </div>
      )}
      {run.data && <SyncProgress run={run.data.run} />}
    </div>
  );
}

export function SyncProgress({ run }: { run: SyncRunView }) {
  return (
    <div data-testid="sync-progress" className="text-sm">
      <p>
        Sync <span className="font-mono">{shortSha(run.revision)}</span> by {run.actorName}: <strong data-testid="sync-run-status">{run.status}</strong>
        {run.error ? ` — ${run.error}` : ""}
      </p>
      <ol className="mt-1 space-y-0.5 font-mono text-xs">
        {run.results.map((r, i) => (
          <li key={i} className={r.action === "failed" ? "text-rose-700" : r.action === "skipped" ? "text-slate-500" : ""}>
            {r.action.padEnd(9)} {r.kind}/{r.name} — {r.message}
            {r.health ? ` · ${r.health}` : ""}
          </li>
        ))}
      </ol>
    </div>
  );
}

"use client";
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { ErrorBox } from "../ui";
import { DiffView } from "../code/diff-view";
import { HealthBadge, SyncBadge } from "./badges";
import { VirtualRows } from "../tree/virtual-rows";
import type { ResourceView } from "./types";

// Fixed columns, so the header lines up with the virtualized rows (only the rows in view are drawn:
// a 1,000-object environment would otherwise render every row on each stream update).
const COLUMNS = "grid grid-cols-[9rem_minmax(0,2fr)_7rem_7rem_minmax(0,3fr)] items-center gap-2 px-3";
const ROW_HEIGHT = 40;

export function ResourceTable({ environmentId, resources }: { environmentId: string; resources: ResourceView[] }) {
  const [open, setOpen] = useState<ResourceView | null>(null);
  return (
    <div className="space-y-3">
      <div className="rounded border border-slate-200 bg-white text-sm" data-testid="resource-table">
        <div className={`${COLUMNS} bg-slate-100 py-2 text-left font-semibold text-slate-600`}>
          <span>Kind</span>
          <span>Name</span>
          <span>Sync</span>
          <span>Health</span>
          <span>Details</span>
        </div>
        {resources.length === 0 ? (
          <p className="px-3 py-6 text-center text-slate-500">Not reconciled yet.</p>
        ) : (
          <VirtualRows
            rows={resources}
            rowKey={(r) => r.id}
            rowHeight={ROW_HEIGHT}
            height={640}
            asTree={false}
            render={(r) => (
              <div
                className={`${COLUMNS} h-full border-t border-slate-100 ${open?.id === r.id ? "bg-sky-50" : ""}`}
                data-testid={`resource-${r.kind}-${r.name}`}
              >
                <span className="truncate">{r.kind}</span>
                <span className="truncate">
                  <button type="button" className="text-sky-700 hover:underline" onClick={() => setOpen(r)}>
                    {r.namespace ? `${r.namespace}/` : ""}
                    {r.name}
                  </button>
                </span>
                <span>
                  <SyncBadge status={r.syncStatus} />
                </span>
                <span>
                  <HealthBadge status={r.health} title={r.healthMessage} />
                </span>
                <span className="truncate text-xs text-slate-600" title={details(r)}>
                  {r.message ? <span className="text-rose-700">{r.message}</span> : <span className={r.changes?.length ? "font-mono" : ""}>{details(r)}</span>}
                </span>
              </div>
            )}
          />
        )}
      </div>
      {open && <ObjectDiff environmentId={environmentId} resource={open} />}
    </div>
  );
}

/** The one-line reason shown in the Details column (and in full as its tooltip). */
function details(r: ResourceView): string {
  if (r.message) return r.message;
  if ((r.changes?.length ?? 0) > 0) {
    const paths = r.changes!.slice(0, 3).map((c) => c.path);
    return `${paths.join(", ")}${r.changes!.length > 3 ? " …" : ""}`;
  }
  return r.healthMessage && r.health !== "Healthy" ? r.healthMessage : "";
}

function ObjectDiff({ environmentId, resource }: { environmentId: string; resource: ResourceView }) {
  const qs = new URLSearchParams({ apiVersion: resource.apiVersion, kind: resource.kind, namespace: resource.namespace, name: resource.name });
  const diff = useQuery({
    queryKey: ["object-diff", environmentId, qs.toString()],
    queryFn: () => api<{ desiredYaml: string; liveYaml: string; error: string | null }>(`/api/environments/${environmentId}/diff?${qs}`),
  });
  return (
    <div className="space-y-2" data-testid="object-diff">
      <h2 className="text-sm font-medium">
        {resource.kind} {resource.name}: Git (after server-side dry-run) ← → live · managed fields and status hidden, Secret values masked
      </h2>
      <ErrorBox error={diff.error ?? (diff.data?.error ? new Error(diff.data.error) : null)} />
      {diff.data && <DiffView path="object.yaml" before={diff.data.liveYaml} after={diff.data.desiredYaml} height={520} />}
      <p className="text-xs text-slate-500">Left: live in the cluster. Right: what Git would make it.</p>
    </div>
  );
}

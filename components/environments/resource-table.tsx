"use client";
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { ErrorBox } from "../ui";
import { DiffView } from "../code/diff-view";
import { HealthBadge, SyncBadge } from "./badges";
import type { ResourceView } from "./types";

/** Rows drawn at first; more on request (a 1,000-object environment would render 1,000 rows on every update). */
const PAGE = 200;

export function ResourceTable({ environmentId, resources }: { environmentId: string; resources: ResourceView[] }) {
  const [open, setOpen] = useState<ResourceView | null>(null);
  const [shown, setShown] = useState(PAGE);
  return (
    <div className="space-y-3">
      <table className="w-full rounded border border-slate-200 bg-white text-sm" data-testid="resource-table">
        <thead className="bg-slate-100 text-left text-slate-600">
          <tr>
            <th className="px-3 py-2">Kind</th>
            <th className="px-3 py-2">Name</th>
            <th className="px-3 py-2">Sync</th>
            <th className="px-3 py-2">Health</th>
            <th className="px-3 py-2">Details</th>
          </tr>
        </thead>
        <tbody>
          {resources.slice(0, shown).map((r) => (
            <tr key={r.id} className={`border-t border-slate-100 ${open?.id === r.id ? "bg-sky-50" : ""}`} data-testid={`resource-${r.kind}-${r.name}`}>
              <td className="px-3 py-2">{r.kind}</td>
              <td className="px-3 py-2">
                <button type="button" className="text-sky-700 hover:underline" onClick={() => setOpen(r)}>
                  {r.namespace ? `${r.namespace}/` : ""}
                  {r.name}
                </button>
              </td>
              <td className="px-3 py-2">
                <SyncBadge status={r.syncStatus} />
              </td>
              <td className="px-3 py-2">
                <HealthBadge status={r.health} title={r.healthMessage} />
              </td>
              <td className="px-3 py-2 text-xs text-slate-600">
                {r.message && <span className="text-rose-700">{r.message}</span>}
                {!r.message && r.healthMessage && r.health !== "Healthy" && r.healthMessage}
                {!r.message && (r.changes?.length ?? 0) > 0 && (
                  <span className="font-mono">
                    {" "}
                    {r
                      .changes!.slice(0, 3)
                      .map((c) => c.path)
                      .join(", ")}
                    {r.changes!.length > 3 ? " …" : ""}
                  </span>
                )}
              </td>
            </tr>
          ))}
          {resources.length === 0 && (
            <tr>
              <td colSpan={5} className="px-3 py-6 text-center text-slate-500">
                Not reconciled yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {resources.length > shown && (
        <p className="flex items-center gap-3 text-sm text-slate-600" data-testid="resource-table-more">
          Showing {shown} of {resources.length} objects.
          <button type="button" className="text-sky-700 hover:underline" onClick={() => setShown((n) => n + PAGE * 5)}>
            Show {Math.min(PAGE * 5, resources.length - shown)} more
          </button>
          <span className="text-xs text-slate-500">(the Resource tree&apos;s list mode filters and scrolls them all)</span>
        </p>
      )}
      {open && <ObjectDiff environmentId={environmentId} resource={open} />}
    </div>
  );
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

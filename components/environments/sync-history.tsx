"use client";
import { Fragment, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { ErrorBox, shortSha } from "../ui";
import { SyncProgress } from "./sync-panel";
import type { SyncRunView } from "./types";
import { useLiveInterval } from "../live/live-status";
import { VerificationStatus } from "./verification-status";

export function SyncHistory({ environmentId }: { environmentId: string }) {
  const runs = useQuery({
    queryKey: ["syncs", environmentId],
    queryFn: () => api<{ items: SyncRunView[] }>(`/api/environments/${environmentId}/syncs`),
    refetchInterval: useLiveInterval(environmentId, 5_000),
  });
  const [open, setOpen] = useState<string | null>(null);
  if (runs.error) return <ErrorBox error={runs.error} />;
  return (
    <table className="w-full rounded border border-slate-200 bg-white text-sm" data-testid="sync-history">
      <thead className="bg-slate-100 text-left text-slate-600">
        <tr>
          <th className="px-3 py-2">Started</th>
          <th className="px-3 py-2">Trigger</th>
          <th className="px-3 py-2">By</th>
          <th className="px-3 py-2">Revision</th>
          <th className="px-3 py-2">Outcome</th>
        </tr>
      </thead>
      <tbody>
        {(runs.data?.items ?? []).map((r) => (
          <Fragment key={r.id}>
            <tr className="cursor-pointer border-t border-slate-100 hover:bg-slate-50" onClick={() => setOpen(open === r.id ? null : r.id)}>
              <td className="px-3 py-2">{new Date(r.startedAt).toLocaleString()}</td>
              <td className="px-3 py-2">{r.trigger}</td>
              <td className="px-3 py-2">{r.actorName}</td>
              <td className="px-3 py-2 font-mono text-xs">{shortSha(r.revision)}</td>
              <td className="px-3 py-2">
                {r.status}
                {r.error ? ` — ${r.error}` : ""}
                {r.verification && (
                  <span className="ml-2 rounded bg-slate-100 px-1.5 text-xs" data-testid="run-verification">
                    {r.verification.status === "running"
                      ? "verifying"
                      : r.verification.status === "passed"
                        ? "verified"
                        : `verification ${r.verification.status}`}
                  </span>
                )}
              </td>
            </tr>
            {open === r.id && (
              <tr>
                <td colSpan={5} className="space-y-2 px-3 py-2">
                  <VerificationStatus verification={r.verification} />
                  <SyncProgress run={r} />
                </td>
              </tr>
            )}
          </Fragment>
        ))}
      </tbody>
    </table>
  );
}

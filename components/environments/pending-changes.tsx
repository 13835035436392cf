"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { ErrorBox, shortSha } from "../ui";
import { SyncBadge } from "./badges";

interface Changes {
  head: string | null;
  synced: string | null;
  files: Array<{ status: string; path: string }>;
  changedObjects: Array<{ kind: string; name: string; syncStatus: string }>;
  history: Array<{ sha: string; message: string; authorName: string; committedAt: string; deployed: boolean }>;
}

export function PendingChanges({ environmentId }: { environmentId: string }) {
  const changes = useQuery({ queryKey: ["changes", environmentId], queryFn: () => api<Changes>(`/api/environments/${environmentId}/changes`) });
  if (changes.error) return <ErrorBox error={changes.error} />;
  const c = changes.data;
  if (!c) return <p className="text-slate-500">Loading…</p>;
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <div className="space-y-2 rounded border border-slate-200 bg-white p-4 text-sm">
        <h2 className="font-medium">
          Between synced {c.synced ? shortSha(c.synced) : "—"} and Git {c.head ? shortSha(c.head) : "—"}
        </h2>
        {c.files.length === 0 ? (
          <p className="text-slate-500">No file changes pending.</p>
        ) : (
          <ul className="font-mono text-xs">
            {c.files.map((f) => (
              <li key={f.path}>
                {f.status} {f.path}
              </li>
            ))}
          </ul>
        )}
        <h3 className="pt-2 font-medium">Objects that differ</h3>
        <ul>
          {c.changedObjects.map((o) => (
            <li key={`${o.kind}/${o.name}`}>
              <SyncBadge status={o.syncStatus} /> {o.kind} {o.name}
            </li>
          ))}
        </ul>
      </div>
      <div className="rounded border border-slate-200 bg-white p-4 text-sm">
        <h2 className="font-medium">History of this path</h2>
        <ol className="mt-2 space-y-1" data-testid="path-history">
          {c.history.map((h) => (
            <li key={h.sha} className={h.deployed ? "font-semibold" : ""}>
              <span className="font-mono text-xs">{shortSha(h.sha)}</span> {h.message.split("\n")[0]}{" "}
              <span className="text-xs text-slate-500">{h.authorName}</span>
              {h.deployed && (
                <span className="ml-2 rounded bg-emerald-100 px-1.5 text-xs text-emerald-800" data-testid="deployed-marker">
                  deployed
                </span>
              )}
            </li>
          ))}
        </ol>
        <Link href="#" className="hidden">
          .
        </Link>
      </div>
    </div>
  );
}

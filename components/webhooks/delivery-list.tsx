"use client";
// The Webhooks page: recent deliveries newest first (time, source, event, outcome, reason,
// repository, payload summary), filtered by source, outcome and repository, refreshed every few seconds.
import Link from "next/link";
import { useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { ErrorBox, relativeTime } from "../ui";

export interface Delivery {
  id: string;
  receivedAt: string;
  source: string;
  deliveryId: string | null;
  event: string | null;
  outcome: "accepted" | "rejected" | "ignored";
  reason: string | null;
  summary: unknown;
  repository: { id: string; name: string | null } | null;
}
type Filters = { source: string; outcome: string; repositoryId: string };

const SOURCES = ["github", "gitlab", "gitea", "generic", "ci", "registry"];
const OUTCOMES = ["accepted", "rejected", "ignored"];
const OUTCOME_STYLES: Record<string, string> = {
  accepted: "bg-emerald-100 text-emerald-800",
  rejected: "bg-rose-100 text-rose-800",
  ignored: "bg-slate-100 text-slate-700",
};

export function OutcomeBadge({ outcome }: { outcome: string }) {
  return (
    <span data-testid="delivery-outcome" className={`rounded px-2 py-0.5 text-xs font-medium ${OUTCOME_STYLES[outcome] ?? "bg-slate-100"}`}>
      {outcome}
    </span>
  );
}

/** "main → 1a2b3c4 · 2 commits · by octocat" for pushes, "ping", otherwise the summary's fields. */
export function summaryText(summary: unknown): string {
  if (typeof summary === "string") return summary;
  if (!summary || typeof summary !== "object") return "";
  const s = summary as Record<string, unknown>;
  if (s.kind === "ping") return "ping";
  if (typeof s.branch === "string") {
    const parts = [`${s.branch}${typeof s.after === "string" && s.after ? ` → ${s.after.slice(0, 7)}` : ""}`];
    if (typeof s.commits === "number") parts.push(`${s.commits} commit${s.commits === 1 ? "" : "s"}`);
    if (typeof s.pusher === "string" && s.pusher) parts.push(`by ${s.pusher}`);
    if (Array.isArray(s.repoUrls) && s.repoUrls.length) parts.push(`for ${s.repoUrls.join(", ")}`);
    return parts.join(" · ");
  }
  const entries = Object.entries(s);
  return entries.length ? entries.map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`).join(" · ") : "";
}

export function DeliveryList({ initial }: { initial: Filters }) {
  const [filters, setFilters] = useState<Filters>(initial);
  const qs = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
  const deliveries = useQuery({
    queryKey: ["webhook-deliveries", qs.toString()],
    queryFn: () => api<{ items: Delivery[] }>(`/api/webhooks/deliveries?${qs}`),
    placeholderData: keepPreviousData,
    refetchInterval: 3000,
  });
  const repos = useQuery({ queryKey: ["repositories"], queryFn: () => api<{ items: Array<{ id: string; name: string }> }>("/api/repositories") });
  const select = (key: keyof Filters, label: string, options: Array<[string, string]>) => (
    <label className="flex items-center gap-2">
      <span className="text-slate-600">{label}</span>
      <select
        aria-label={label}
        value={filters[key]}
        onChange={(e) => setFilters({ ...filters, [key]: e.target.value })}
        className="rounded border border-slate-300 px-2 py-1.5"
      >
        <option value="">all</option>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
  const items = deliveries.data?.items ?? [];
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Webhooks</h1>
      <p className="text-sm text-slate-600">
        Every webhook call Tideline received, newest first: accepted pushes start a fetch and reconcile at once; rejected and ignored ones say why. Enable a Git
        webhook on a repository&apos;s page.
      </p>
      <div className="flex flex-wrap items-center gap-4 text-sm">
        {select(
          "source",
          "Source",
          SOURCES.map((s) => [s, s]),
        )}
        {select(
          "outcome",
          "Outcome",
          OUTCOMES.map((o) => [o, o]),
        )}
        {select(
          "repositoryId",
          "Repository",
          (repos.data?.items ?? []).map((r) => [r.id, r.name]),
        )}
      </div>
      <ErrorBox error={deliveries.error} />
      <table className="w-full rounded border border-slate-200 bg-white text-sm" data-testid="deliveries-table">
        <thead className="bg-slate-100 text-left text-slate-600">
          <tr>
            <th className="px-3 py-2">Received</th>
            <th className="px-3 py-2">Source</th>
            <th className="px-3 py-2">Event</th>
            <th className="px-3 py-2">Outcome</th>
            <th className="px-3 py-2">Reason</th>
            <th className="px-3 py-2">Repository</th>
            <th className="px-3 py-2">Summary</th>
          </tr>
        </thead>
        <tbody>
          {items.map((d) => (
            <tr key={d.id} className="border-t border-slate-100 align-top" data-testid="delivery-row">
              <td className="px-3 py-2 whitespace-nowrap" title={new Date(d.receivedAt).toLocaleString()}>
                {relativeTime(d.receivedAt)}
              </td>
              <td className="px-3 py-2">{d.source}</td>
              <td className="px-3 py-2 font-mono text-xs" title={d.deliveryId ?? undefined}>
                {d.event ?? "—"}
              </td>
              <td className="px-3 py-2">
                <OutcomeBadge outcome={d.outcome} />
              </td>
              <td className="px-3 py-2 text-slate-700" data-testid="delivery-reason">
                {d.reason ?? ""}
              </td>
              <td className="px-3 py-2">
                {d.repository ? (
                  <Link className="text-sky-700 hover:underline" href={`/repositories/${d.repository.id}`}>
                    {d.repository.name ?? d.repository.id}
                  </Link>
                ) : (
                  "—"
                )}
              </td>
              <td className="px-3 py-2 font-mono text-xs text-slate-600 break-all" data-testid="delivery-summary">
                {summaryText(d.summary)}
              </td>
            </tr>
          ))}
          {deliveries.data && items.length === 0 && (
            <tr>
              <td colSpan={7} className="px-3 py-6 text-center text-slate-500">
                No deliveries{qs.toString() ? " match these filters" : " yet"}.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

"use client";
// The approver's inbox (waiting for my approval, the diff one click away) and recent promotions.
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useUserLiveInterval } from "../live/user-live-status";
import { ErrorBox, relativeTime } from "../ui";
import { promotionApi } from "./api";
import { KindBadge, PromotionStatusBadge } from "./badges";
import type { PromotionListItem } from "./types";

const label = (p: PromotionListItem) =>
  p.title ?? `${p.kind === "rollback" ? "Roll back" : "Promote"} ${p.application} ${p.source ? `${p.source} → ` : ""}${p.target}`;

export function PromotionsInbox() {
  // Polls only while the live hint stream is down (components/live/use-live-hints.ts).
  const liveInterval = useUserLiveInterval(5_000);
  const inbox = useQuery({
    queryKey: ["promotion-inbox"],
    queryFn: () => promotionApi<{ items: PromotionListItem[] }>("/api/promotions?inbox=1"),
    refetchInterval: liveInterval,
  });
  const recent = useQuery({
    queryKey: ["promotions-recent"],
    queryFn: () => promotionApi<{ items: PromotionListItem[] }>("/api/promotions?limit=50"),
    refetchInterval: liveInterval,
  });
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Promotions</h1>
      <section className="space-y-2">
        <h2 className="text-lg font-medium">Waiting for my approval</h2>
        <ErrorBox error={inbox.error} />
        <ul className="divide-y divide-slate-100 rounded border border-slate-200 bg-white" data-testid="inbox">
          {inbox.data?.items.map((p) => (
            <li key={p.id} data-testid={`inbox-item-${p.id}`} className="flex flex-wrap items-center gap-3 px-4 py-3 text-sm">
              <KindBadge kind={p.kind} />
              <Link href={`/promotions/${p.id}`} className="font-medium text-sky-700 hover:underline">
                {label(p)}
              </Link>
              <span className="text-slate-600">
                {p.application}: {p.source ?? "rollback"} → {p.target}
              </span>
              <span className="text-slate-600">
                by {p.authorName} {relativeTime(p.createdAt)}
              </span>
              <span className="text-slate-600">
                {p.approvals} of {p.requiredApprovals} approval(s)
              </span>
              <Link href={`/promotions/${p.id}#diff`} data-testid="inbox-review" className="ml-auto rounded bg-sky-700 px-3 py-1 text-white hover:bg-sky-800">
                Review diff
              </Link>
            </li>
          ))}
          {inbox.data && inbox.data.items.length === 0 && (
            <li className="px-4 py-3 text-sm text-slate-500" data-testid="inbox-empty">
              Nothing is waiting for you.
            </li>
          )}
          {!inbox.data && !inbox.error && <li className="px-4 py-3 text-sm text-slate-500">Loading…</li>}
        </ul>
      </section>
      <section className="space-y-2">
        <h2 className="text-lg font-medium">Recent promotions and rollbacks</h2>
        <ErrorBox error={recent.error} />
        <table className="w-full rounded border border-slate-200 bg-white text-sm" data-testid="recent-promotions">
          <thead className="bg-slate-50 text-left text-slate-600">
            <tr>
              <th className="px-3 py-2">Status</th>
              <th className="px-3 py-2">What</th>
              <th className="px-3 py-2">Into</th>
              <th className="px-3 py-2">Approvals</th>
              <th className="px-3 py-2">By</th>
              <th className="px-3 py-2">When</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {recent.data?.items.map((p) => (
              <tr key={p.id} data-testid={`recent-${p.id}`}>
                <td className="px-3 py-2">
                  <PromotionStatusBadge status={p.status} testId="recent-status" />
                </td>
                <td className="px-3 py-2">
                  <KindBadge kind={p.kind} />{" "}
                  <Link href={`/promotions/${p.id}`} className="text-sky-700 hover:underline">
                    {label(p)}
                  </Link>
                </td>
                <td className="px-3 py-2">
                  {p.application}/{p.target}
                </td>
                <td className="px-3 py-2">{p.requiredApprovals > 0 ? `${p.approvals}/${p.requiredApprovals}` : "—"}</td>
                <td className="px-3 py-2">{p.authorName}</td>
                <td className="px-3 py-2 text-slate-500">{relativeTime(p.createdAt)}</td>
              </tr>
            ))}
            {recent.data && recent.data.items.length === 0 && (
              <tr>
                <td colSpan={6} className="px-3 py-3 text-slate-500">
                  No promotions yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </section>
    </div>
  );
}

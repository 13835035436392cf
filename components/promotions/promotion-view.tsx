"use client";
// One promotion or rollback: status, source → target, what moves, approvals, decisions and
// the timeline, refreshed while it is under way.
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useUserLiveInterval } from "../live/user-live-status";
import { ErrorBox, relativeTime, shortSha } from "../ui";
import { promotionApi } from "./api";
import { KindBadge, PromotionStatusBadge } from "./badges";
import { DecisionPanel, type PromotionPermissions } from "./decision-panel";
import { PromotionFiles } from "./promotion-files";
import { Timeline } from "./timeline";
import { VerificationStatus, type VerificationView } from "../environments/verification-status";
import { isActive, type PromotionDetail } from "./types";

export function PromotionView({ id, permissions }: { id: string; permissions: PromotionPermissions }) {
  // Polls only while the live hint stream is down (components/live/use-live-hints.ts).
  const liveInterval = useUserLiveInterval(2_000);
  const detail = useQuery({
    queryKey: ["promotion", id],
    queryFn: () => promotionApi<{ promotion: PromotionDetail & { verification?: VerificationView | null } }>(`/api/promotions/${id}`),
    // Verification rows are not hinted: a running verification keeps polling.
    refetchInterval: (q) =>
      q.state.data?.promotion.verification?.status === "running" ? 2_000 : q.state.data && !isActive(q.state.data.promotion.status) ? false : liveInterval,
  });
  if (detail.error) return <ErrorBox error={detail.error} />;
  if (!detail.data) return <p className="text-slate-500">Loading…</p>;
  const p = detail.data.promotion;
  const app = p.targetEnvironment.application;
  const approved = p.approvals.filter((a) => a.decision === "approved").length;
  return (
    <div className="space-y-4">
      <Link href="/promotions" className="text-sm text-sky-700 hover:underline">
        ← Promotions
      </Link>
      <header className="space-y-2 rounded border border-slate-200 bg-white p-4">
        <h1 className="text-2xl font-semibold" data-testid="promotion-title">
          {p.summary.title ?? `${p.kind} into ${p.targetEnvironment.name}`}
        </h1>
        <p className="flex flex-wrap items-center gap-2 text-sm text-slate-600">
          <PromotionStatusBadge status={p.status} /> <KindBadge kind={p.kind} />
          <Link href={`/applications/${app.id}`} className="text-sky-700 hover:underline">
            {app.name}
          </Link>
          :
          <span data-testid="promotion-route">
            {p.sourceEnvironment ? (
              <Link href={`/environments/${p.sourceEnvironment.id}`} className="text-sky-700 hover:underline">
                {p.sourceEnvironment.name}
              </Link>
            ) : (
              <span>{p.sourceRevision ? shortSha(p.sourceRevision) : "—"}</span>
            )}
            {" → "}
            <Link href={`/environments/${p.targetEnvironment.id}`} className="text-sky-700 hover:underline">
              {p.targetEnvironment.name}
            </Link>
          </span>
          · by {p.authorName} {relativeTime(p.createdAt)}
        </p>
        <p className="text-sm text-slate-600">
          {p.commitSha && (
            <>
              commit{" "}
              <span className="font-mono" data-testid="promotion-commit">
                {shortSha(p.commitSha)}
              </span>{" "}
              ·{" "}
            </>
          )}
          {p.targetEnvironment.name} runs{" "}
          <span className="font-mono">{p.targetEnvironment.syncedRevision ? shortSha(p.targetEnvironment.syncedRevision) : "nothing yet"}</span> (
          {p.targetEnvironment.syncStatus}, {p.targetEnvironment.health})
          {p.changeRequest && (
            <>
              {" "}
              ·{" "}
              <Link href={`/changes/${p.changeRequest.id}`} data-testid="promotion-change-request" className="text-sky-700 hover:underline">
                change request #{p.changeRequest.number}
              </Link>{" "}
              ({p.changeRequest.status})
            </>
          )}
        </p>
        {p.error && (
          <p className="text-sm text-rose-700" data-testid="promotion-error">
            {p.error}
          </p>
        )}
      </header>

      {(p.summary.images?.length ?? 0) > 0 && (
        <section className="rounded border border-slate-200 bg-white p-4 text-sm">
          <h2 className="mb-1 font-medium">Images</h2>
          <ul data-testid="promotion-images" className="font-mono">
            {p.summary.images!.map((m) => (
              <li key={m.name}>
                {m.name}: <span className="text-slate-500">{m.from ?? "(none)"}</span> → <span className="font-semibold text-emerald-700">{m.to}</span>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section className="space-y-2 rounded border border-slate-200 bg-white p-4 text-sm">
        <h2 className="font-medium" data-testid="promotion-approvals">
          {p.requiredApprovals > 0 ? `${approved} of ${p.requiredApprovals} approval(s)` : "No approvals required"}
        </h2>
        {p.approvals.length > 0 && (
          <ul className="space-y-1" data-testid="approval-list">
            {p.approvals.map((a) => (
              <li key={a.id}>
                <span className={a.decision === "approved" ? "text-emerald-700" : "text-rose-700"}>{a.override ? "emergency override" : a.decision}</span> by{" "}
                <span className="font-medium">{a.userName}</span> {relativeTime(a.createdAt)}
                {a.comment && <span className="text-slate-600"> — “{a.comment}”</span>}
              </li>
            ))}
          </ul>
        )}
      </section>

      <DecisionPanel promotion={p} permissions={permissions} />
      <PromotionFiles promotion={p} />

      <section className="space-y-2 rounded border border-slate-200 bg-white p-4">
        <h2 className="font-medium">Timeline</h2>
        <VerificationStatus verification={p.verification} />
        <Timeline events={p.events} />
      </section>
    </div>
  );
}

"use client";
// One change request: header (status, author, base ← head, provider link), commits, files with
// their diffs, per-environment impact, reviews with the review form, merge and close.
import Link from "next/link";
import { useEffect, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { ErrorBox, relativeTime, shortSha } from "../ui";
import { ChangeStatusBadge, ProviderBadge } from "./badges";
import { ChangeFiles } from "./change-files";
import { ImpactView } from "./impact-view";
import { MergePanel } from "./merge-panel";
import { ReviewForm, ReviewTimeline } from "./review-timeline";
import type { ChangeDetail as Detail, EnvironmentImpact } from "./types";

export interface ChangePermissions {
  username: string;
  canReview: boolean;
  canMerge: boolean;
  canClose: boolean;
}

export function ChangeDetail({ id, permissions }: { id: string; permissions: ChangePermissions }) {
  const detail = useQuery({
    queryKey: ["change", id],
    queryFn: () => api<{ change: Detail }>(`/api/changes/${id}`),
    refetchInterval: (q) => (q.state.data?.change.status === "open" ? 5_000 : false),
  });
  const [tab, setTab] = useState<"files" | "impact" | "commits">("files");
  useEffect(() => {
    if (detail.data) performance.mark("tideline:change:shown");
  }, [detail.data]);
  if (detail.error) return <ErrorBox error={detail.error} />;
  if (!detail.data) return <p className="text-slate-500">Loading…</p>;
  const c = detail.data.change;
  const isAuthor = c.authorName === permissions.username;
  return (
    <div className="space-y-4">
      <Link href="/changes" className="text-sm text-sky-700 hover:underline">
        ← Change requests
      </Link>
      <header className="space-y-1 rounded border border-slate-200 bg-white p-4" data-testid="change-header">
        <h1 className="text-2xl font-semibold" data-testid="change-title">
          #{c.number} {c.title}
        </h1>
        <p className="flex flex-wrap items-center gap-2 text-sm text-slate-600">
          <ChangeStatusBadge status={c.status} />
          <ProviderBadge provider={c.provider} url={c.externalUrl} number={c.externalNumber} />
          <span data-testid="change-author">{c.authorName}</span> wants to merge into
          <span className="font-mono" data-testid="change-branches">
            {c.baseBranch} ← {c.headBranch}
          </span>
          in{" "}
          <Link className="text-sky-700" href={`/repositories/${c.repository.id}`}>
            {c.repository.name}
          </Link>{" "}
          · {relativeTime(c.createdAt)}
        </p>
        <p className="text-sm text-slate-600" data-testid="change-approval-summary">
          {c.approvals} approval(s){c.requiredReviews > 0 ? ` of ${c.requiredReviews} required (protected environment)` : " (none required)"}
          {c.staleApprovals > 0 ? ` · ${c.staleApprovals} stale (given on an earlier commit)` : ""}
          {c.changesRequested > 0 ? ` · ${c.changesRequested} change request(s)` : ""}
          {c.status === "merged" && c.mergedSha && (
            <>
              {" "}
              · merged as{" "}
              <span className="font-mono" data-testid="merged-sha">
                {shortSha(c.mergedSha)}
              </span>{" "}
              by {c.mergedByName} ({c.mergeMethod})
            </>
          )}
        </p>
        {c.body && <p className="whitespace-pre-wrap pt-2 text-sm">{c.body}</p>}
        {c.lastError && (
          <p className="text-sm text-rose-700" data-testid="change-last-error">
            {c.lastError}
          </p>
        )}
      </header>

      <ProtectionPanel change={c} />

      <MergePanel change={c} canMerge={permissions.canMerge} canClose={permissions.canClose} />

      <nav className="flex gap-4 border-b border-slate-200 text-sm">
        {(["files", "impact", "commits"] as const).map((t) => (
          <button
            type="button"
            key={t}
            data-testid={`change-tab-${t}`}
            onClick={() => setTab(t)}
            className={`-mb-px border-b-2 px-1 py-2 ${tab === t ? "border-sky-600 text-sky-800" : "border-transparent text-slate-600"}`}
          >
            {{ files: `Files (${c.files.length})`, impact: "Impact", commits: `Commits (${c.commits.length})` }[t]}
          </button>
        ))}
      </nav>
      {tab === "files" && <ChangeFiles changeId={c.id} files={c.files} />}
      {tab === "impact" && <ChangeImpactPanel id={c.id} />}
      {tab === "commits" && (
        <ul className="rounded border border-slate-200 bg-white text-sm" data-testid="change-commits">
          {c.commits.map((k) => (
            <li key={k.sha} className="border-b border-slate-100 px-3 py-1.5 last:border-0">
              <Link className="font-mono text-sky-700" href={`/repositories/${c.repositoryId}/commits/${k.sha}`}>
                {shortSha(k.sha)}
              </Link>{" "}
              {k.subject}{" "}
              <span className="text-xs text-slate-500">
                · {k.authorName} · {relativeTime(k.authoredAt)}
              </span>
            </li>
          ))}
        </ul>
      )}

      <section className="space-y-2">
        <h2 className="text-lg font-medium">Reviews</h2>
        <ReviewTimeline reviews={c.reviews} provider={c.provider} />
        {c.status === "open" && permissions.canReview && <ReviewForm changeId={c.id} canApprove={!isAuthor} headSha={c.headSha} />}
      </section>
    </div>
  );
}

/** The protected environments this change renders differently, and whose approvals that needs. */
function ProtectionPanel({ change: c }: { change: Detail }) {
  if (c.protectionPending)
    return (
      <p className="text-sm text-amber-800" data-testid="change-protection-pending">
        Checking which protected environments this change affects once its head commit is fetched…
      </p>
    );
  if (!c.requirements?.length)
    return (
      <p className="text-sm text-slate-600" data-testid="change-protection-none">
        This change alters no protected environment&apos;s rendered objects.
      </p>
    );
  return (
    <ul className="space-y-1 rounded border border-amber-200 bg-amber-50 p-3 text-sm" data-testid="change-protection">
      {c.requirements.map((r) => (
        <li key={r.applicationId} data-testid={`change-requirement-${r.application}`} data-met={r.met}>
          <span className="font-medium">{r.summary}</span>{" "}
          <span className={r.met ? "text-emerald-700" : "text-amber-800"}>
            ({r.have} of {r.approvals}
            {r.approvedBy.length ? `: ${r.approvedBy.join(", ")}` : ""})
          </span>
          {r.notCounted.length > 0 && (
            <span className="block text-xs text-slate-600">Not counted: {r.notCounted.map((n) => `${n.userName} (${n.reason})`).join("; ")}</span>
          )}
        </li>
      ))}
    </ul>
  );
}

function ChangeImpactPanel({ id }: { id: string }) {
  const impact = useQuery({ queryKey: ["change-impact", id], queryFn: () => api<{ impact: EnvironmentImpact[] }>(`/api/changes/${id}/impact`) });
  if (impact.error) return <ErrorBox error={impact.error} />;
  if (!impact.data) return <p className="text-sm text-slate-500">Rendering every environment on the branch…</p>;
  return <ImpactView impact={impact.data.impact} />;
}

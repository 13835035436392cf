"use client";
// "Promote source → target": the preview (images, warnings, blockers, file diffs, object diff)
// and the confirmation. A stale preview (source or target moved) is reloaded with a notice.
import { useState } from "react";
import { useRouter } from "next/navigation";
import { useMutation, useQuery } from "@tanstack/react-query";
import { Button, ErrorBox, shortSha } from "../ui";
import { isStale, promotionApi } from "./api";
import { ObjectDiff } from "./object-diff";
import { PreviewFiles } from "./preview-files";
import type { PromotionDetail, PromotionPreview } from "./types";

export function PromoteDialog({ sourceId, targetId, onClose }: { sourceId: string; targetId: string; onClose: () => void }) {
  const router = useRouter();
  const [acknowledged, setAcknowledged] = useState(false);
  const [staleNotice, setStaleNotice] = useState(false);
  const preview = useQuery({
    queryKey: ["promotion-preview", sourceId, targetId],
    queryFn: () =>
      promotionApi<PromotionPreview>("/api/promotions/preview", { method: "POST", body: { sourceEnvironmentId: sourceId, targetEnvironmentId: targetId } }),
    retry: false,
    staleTime: 0,
    gcTime: 0,
    refetchOnWindowFocus: false,
  });
  const start = useMutation({
    mutationFn: (p: PromotionPreview) =>
      promotionApi<{ promotion: PromotionDetail }>("/api/promotions", {
        method: "POST",
        body: { sourceEnvironmentId: sourceId, targetEnvironmentId: targetId, previewHash: p.previewHash, acknowledgeWarnings: acknowledged },
      }),
    onSuccess: ({ promotion }) => router.push(`/promotions/${promotion.id}`),
    onError: (e) => {
      if (!isStale(e)) return;
      setStaleNotice(true);
      setAcknowledged(false);
      void preview.refetch();
    },
  });
  const p = preview.data;
  const needsAck = !!p && p.warnings.length > 0 && !acknowledged;
  const disabledReason = !p ? null : p.blockers.length ? `Blocked: ${p.blockers[0]}` : needsAck ? "Confirm the warnings first" : null;
  return (
    <div
      className="fixed inset-0 z-50 flex items-start justify-center overflow-y-auto bg-slate-900/40 p-4"
      role="dialog"
      aria-modal="true"
      aria-label="Promote"
    >
      <div data-testid="promote-dialog" className="w-full max-w-5xl space-y-4 rounded-lg bg-slate-50 p-5 shadow-xl">
        <div className="flex items-start gap-2">
          <h2 className="text-xl font-semibold" data-testid="promote-title">
            {p?.title ?? "Promotion preview"}
          </h2>
          <button type="button" className="ml-auto text-slate-500 hover:text-slate-800" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </div>
        {staleNotice && (
          <p data-testid="stale-notice" className="rounded border border-sky-300 bg-sky-50 px-3 py-2 text-sm text-sky-900">
            The source or target changed since the preview; this is the new preview. Review it before promoting.
          </p>
        )}
        {preview.isFetching && <p className="text-sm text-slate-500">Computing the preview (rendering both environments and dry-running the changes)…</p>}
        <ErrorBox error={preview.error} />
        {p && !preview.isFetching && (
          <>
            <p className="text-sm text-slate-600">
              {p.source.name} <span className="font-mono">{shortSha(p.sourceRevision)}</span> → {p.target.name} ({p.target.branch} at{" "}
              <span className="font-mono">{shortSha(p.targetBaseRevision)}</span>) · strategy {p.strategy}
              {p.target.protected && (
                <>
                  {" "}
                  · <span data-testid="preview-protected">🔒 needs {p.target.requiredApprovals} approval(s)</span>
                </>
              )}
            </p>
            {p.images.length > 0 && (
              <ul data-testid="preview-images" className="rounded border border-slate-200 bg-white px-3 py-2 font-mono text-sm">
                {p.images.map((m) => (
                  <li key={m.name}>
                    {m.name}: <span className="text-slate-500">{m.from ?? "(none)"}</span> → <span className="font-semibold text-emerald-700">{m.to}</span>
                  </li>
                ))}
              </ul>
            )}
            {p.blockers.length > 0 && (
              <div data-testid="preview-blockers" className="rounded border border-rose-300 bg-rose-50 px-3 py-2 text-sm text-rose-800">
                <p className="font-semibold">This promotion is blocked</p>
                <ul className="list-disc pl-5">
                  {p.blockers.map((b) => (
                    <li key={b}>{b}</li>
                  ))}
                </ul>
              </div>
            )}
            {p.warnings.length > 0 && (
              <div data-testid="preview-warnings" className="rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
                <ul className="list-disc pl-5">
                  {p.warnings.map((w) => (
                    <li key={w}>{w}</li>
                  ))}
                </ul>
                {p.blockers.length === 0 && (
                  <label className="mt-2 flex items-center gap-2 font-medium">
                    <input type="checkbox" data-testid="acknowledge-warnings" checked={acknowledged} onChange={(e) => setAcknowledged(e.target.checked)} /> I
                    understand, promote anyway
                  </label>
                )}
              </div>
            )}
            <section className="space-y-2">
              <h3 className="font-medium">Files ({p.files.length})</h3>
              <PreviewFiles files={p.files} />
            </section>
            <section className="space-y-2">
              <h3 className="font-medium">
                Objects in {p.target.name} ({p.impact.objects.length})
              </h3>
              <ObjectDiff objects={p.impact.objects} error={p.impact.error} />
            </section>
            <ErrorBox error={start.error && !isStale(start.error) ? start.error : null} />
            <div className="flex items-center gap-3">
              <Button data-testid="confirm-promotion" disabled={!!disabledReason || start.isPending} onClick={() => start.mutate(p)}>
                {start.isPending ? "Starting…" : p.target.protected ? "Request approval" : "Promote"}
              </Button>
              <Button variant="secondary" onClick={onClose}>
                Cancel
              </Button>
              {disabledReason && (
                <span className="text-sm text-slate-600" data-testid="confirm-disabled-reason">
                  {disabledReason}
                </span>
              )}
            </div>
          </>
        )}
      </div>
    </div>
  );
}

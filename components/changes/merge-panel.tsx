"use client";
// Merge (merge commit or fast-forward), disabled with the reason until the change may merge; and close.
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox } from "../ui";
import type { ChangeDetail } from "./types";

export function mergeBlockedReason(c: ChangeDetail): string | null {
  if (c.status !== "open") return `This change request is ${c.status}.`;
  if (c.kind === "promotion") return "It belongs to a promotion and merges when the promotion gets its approvals.";
  if (c.blockers?.length) return c.blockers.join(" · ");
  return c.mergeable ? null : "Not mergeable yet.";
}

/** A promotion still waiting owns its change request: only cancelling the promotion closes it. */
const heldByPromotion = (c: ChangeDetail) => !!c.promotion && ["proposed", "awaiting_approval", "approved", "merged"].includes(c.promotion.status);

export function MergePanel({ change, canMerge, canClose }: { change: ChangeDetail; canMerge: boolean; canClose: boolean }) {
  const client = useQueryClient();
  const [method, setMethod] = useState<"merge" | "fast-forward">("merge");
  const refresh = () => void client.invalidateQueries({ queryKey: ["change", change.id] });
  const merge = useMutation({
    mutationFn: () => api(`/api/changes/${change.id}/merge`, { method: "POST", body: { method, expectedHeadSha: change.headSha } }),
    onSettled: refresh,
  });
  const close = useMutation({ mutationFn: () => api(`/api/changes/${change.id}/close`, { method: "POST", body: {} }), onSettled: refresh });
  const cancel = useMutation({
    mutationFn: () => api(`/api/promotions/${change.promotion!.id}/cancel`, { method: "POST", body: { reason: "" } }),
    onSettled: refresh,
  });
  if (change.status !== "open" || (!canMerge && !canClose)) return null;
  const reason = mergeBlockedReason(change);
  return (
    <div className="space-y-2 rounded border border-slate-200 bg-white p-3 text-sm" data-testid="merge-panel">
      <div className="flex flex-wrap items-center gap-2">
        {canMerge && (
          <>
            <select
              data-testid="merge-method"
              value={method}
              onChange={(e) => setMethod(e.target.value as typeof method)}
              className="rounded border border-slate-300 px-2 py-1.5"
            >
              <option value="merge">Merge commit</option>
              <option value="fast-forward">Fast-forward</option>
            </select>
            <Button data-testid="merge-button" disabled={!!reason || merge.isPending} title={reason ?? undefined} onClick={() => merge.mutate()}>
              {merge.isPending ? "Merging…" : `Merge into ${change.baseBranch}`}
            </Button>
          </>
        )}
        {canClose && heldByPromotion(change) && (
          <>
            <Button
              data-testid="cancel-promotion"
              variant="secondary"
              disabled={cancel.isPending}
              onClick={() =>
                window.confirm(`Cancel the ${change.promotion!.kind} of #${change.number}? Its change request is closed with it.`) && cancel.mutate()
              }
            >
              Cancel the {change.promotion!.kind}
            </Button>
            <a className="text-sky-700 hover:underline" href={`/promotions/${change.promotion!.id}`}>
              Open the {change.promotion!.kind}
            </a>
          </>
        )}
        {canClose && !heldByPromotion(change) && (
          <Button
            data-testid="close-button"
            variant="secondary"
            disabled={close.isPending}
            onClick={() => window.confirm(`Close #${change.number} without merging?`) && close.mutate()}
          >
            Close
          </Button>
        )}
      </div>
      {canMerge && reason && (
        <p data-testid="merge-blocked-reason" className="text-amber-800">
          {reason}
        </p>
      )}
      <ErrorBox error={merge.error ?? close.error ?? cancel.error} />
    </div>
  );
}

"use client";
// Approve or reject with a comment (approvers other than the author, once each), the admin's
// emergency override with a reason, and retrying an approved promotion's merge.
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Button, ErrorBox } from "../ui";
import { promotionApi } from "./api";
import type { PromotionDetail } from "./types";

export interface PromotionPermissions {
  userId: string;
  username: string;
  canApprove: boolean;
  canOverride: boolean;
}

export function DecisionPanel({ promotion, permissions }: { promotion: PromotionDetail; permissions: PromotionPermissions }) {
  const client = useQueryClient();
  const [comment, setComment] = useState("");
  const [reason, setReason] = useState("");
  const act = useMutation({
    mutationFn: ({ path, body }: { path: string; body?: unknown }) =>
      promotionApi(`/api/promotions/${promotion.id}/${path}`, { method: "POST", body: body ?? {} }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["promotion", promotion.id] });
      void client.invalidateQueries({ queryKey: ["promotion-inbox"] });
    },
  });
  const isAuthor = promotion.authorId === permissions.userId || promotion.authorName === permissions.username;
  const decided = promotion.approvals.some((a) => a.userId === permissions.userId);
  const awaiting = promotion.status === "awaiting_approval";
  const canDecide = awaiting && permissions.canApprove && !isAuthor && !decided;
  if (!awaiting && !(promotion.status === "approved" && permissions.canApprove)) return null;
  return (
    <section className="space-y-3 rounded border border-slate-200 bg-white p-4 text-sm" data-testid="decision-panel">
      {awaiting && isAuthor && (
        <p className="text-slate-600" data-testid="author-note">
          You started this {promotion.kind}; someone else must approve it.
        </p>
      )}
      {awaiting && decided && <p className="text-slate-600">You gave your decision.</p>}
      {awaiting && !permissions.canApprove && !isAuthor && <p className="text-slate-600">Waiting for an approver.</p>}
      {canDecide && (
        <div className="space-y-2">
          <textarea
            data-testid="decision-comment"
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            rows={2}
            placeholder="Comment (required to reject)"
            className="w-full rounded border border-slate-300 px-2 py-1.5"
          />
          <div className="flex gap-2">
            <Button
              data-testid="approve-button"
              disabled={act.isPending}
              onClick={() => act.mutate({ path: "decision", body: { decision: "approved", comment } })}
            >
              Approve
            </Button>
            <Button
              data-testid="reject-button"
              variant="danger"
              disabled={act.isPending || !comment.trim()}
              title={comment.trim() ? undefined : "Say why in the comment"}
              onClick={() => act.mutate({ path: "decision", body: { decision: "rejected", comment } })}
            >
              Reject
            </Button>
          </div>
        </div>
      )}
      {awaiting && permissions.canOverride && (
        <details className="rounded border border-rose-200 bg-rose-50 p-2" data-testid="override-panel">
          <summary className="cursor-pointer font-medium text-rose-800">Emergency override (skip the approvals)</summary>
          <div className="mt-2 space-y-2">
            <input
              data-testid="override-reason"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              placeholder="Reason (recorded in the audit log)"
              className="w-full rounded border border-slate-300 px-2 py-1.5"
            />
            <Button
              variant="danger"
              data-testid="override-button"
              disabled={act.isPending || !reason.trim()}
              onClick={() => {
                if (window.confirm("Land this without the required approvals?")) act.mutate({ path: "override", body: { reason } });
              }}
            >
              Override and land now
            </Button>
          </div>
        </details>
      )}
      {promotion.status === "approved" && permissions.canApprove && (
        <div className="flex items-center gap-2">
          <span className="text-slate-600">Approved, not merged yet{promotion.error ? `: ${promotion.error}` : ""}.</span>
          <Button variant="secondary" data-testid="retry-button" disabled={act.isPending} onClick={() => act.mutate({ path: "retry" })}>
            Retry merge
          </Button>
        </div>
      )}
      <ErrorBox error={act.error} />
    </section>
  );
}

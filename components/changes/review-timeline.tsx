"use client";
// Reviews in order (mirrored ones marked), and the form to approve, request changes or comment.
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox, relativeTime } from "../ui";
import type { Review } from "./types";

const VERB = { approved: "approved", changes_requested: "requested changes", commented: "commented" };
const STYLE = { approved: "text-emerald-700", changes_requested: "text-rose-700", commented: "text-slate-700" };
/** Why a review no longer approves or blocks. */
const NOT_COUNTED: Partial<Record<NonNullable<Review["standing"]>, string>> = {
  stale: "stale: given on an earlier commit",
  dismissed: "dismissed",
  author: "the author's own: does not count",
  superseded: "superseded by a later review",
};

export function ReviewTimeline({ reviews, provider }: { reviews: Review[]; provider: string }) {
  if (reviews.length === 0)
    return (
      <p className="text-sm text-slate-500" data-testid="reviews-empty">
        No reviews yet.
      </p>
    );
  return (
    <ol className="space-y-2" data-testid="review-timeline">
      {reviews.map((r) => (
        <li key={r.id} data-testid={`review-${r.state}`} className="rounded border border-slate-200 bg-white px-3 py-2 text-sm">
          <p>
            <span className="font-medium">{r.userName}</span> <span className={STYLE[r.state]}>{VERB[r.state]}</span>
            <span className="text-xs text-slate-500">
              {" "}
              · {relativeTime(r.createdAt)}
              {r.externalId ? ` · on ${provider === "gitlab" ? "GitLab" : "GitHub"}` : ""}
              {r.commitSha ? ` · at ${r.commitSha.slice(0, 7)}` : ""}
            </span>
            {r.standing && NOT_COUNTED[r.standing] && r.state !== "commented" && (
              <span data-testid={`review-standing-${r.standing}`} className="ml-2 rounded bg-slate-100 px-1.5 text-xs text-slate-600">
                {NOT_COUNTED[r.standing]}
              </span>
            )}
          </p>
          {r.body && <p className="mt-1 whitespace-pre-wrap text-slate-700">{r.body}</p>}
        </li>
      ))}
    </ol>
  );
}

/** canApprove is false for the author: they may comment on their own change but not approve or block it. */
export function ReviewForm({ changeId, canApprove, headSha }: { changeId: string; canApprove: boolean; headSha: string }) {
  const client = useQueryClient();
  const [body, setBody] = useState("");
  const review = useMutation({
    mutationFn: (state: Review["state"]) => api(`/api/changes/${changeId}/reviews`, { method: "POST", body: { state, body, headSha } }),
    onSuccess: () => {
      setBody("");
      void client.invalidateQueries({ queryKey: ["change", changeId] });
    },
  });
  return (
    <div className="space-y-2 rounded border border-slate-200 bg-white p-3" data-testid="review-form">
      <textarea
        data-testid="review-body"
        value={body}
        onChange={(e) => setBody(e.target.value)}
        rows={3}
        placeholder="Leave a comment (required to request changes)"
        className="w-full rounded border border-slate-300 px-2 py-1.5 text-sm"
      />
      <ErrorBox error={review.error} />
      <div className="flex gap-2">
        {canApprove && (
          <Button data-testid="review-approve" disabled={review.isPending} onClick={() => review.mutate("approved")}>
            Approve
          </Button>
        )}
        {canApprove && (
          <Button
            data-testid="review-request-changes"
            variant="danger"
            disabled={review.isPending || !body.trim()}
            onClick={() => review.mutate("changes_requested")}
          >
            Request changes
          </Button>
        )}
        <Button data-testid="review-comment" variant="secondary" disabled={review.isPending || !body.trim()} onClick={() => review.mutate("commented")}>
          Comment
        </Button>
      </div>
    </div>
  );
}

"use client";
// "Auto-sync held" after a rollback: why, where the revert change request is, and a way out.
import Link from "next/link";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Button, ErrorBox, shortSha } from "../ui";
import { promotionApi } from "./api";

export interface Hold {
  environmentId: string;
  reason: string | null;
  revision: string | null;
  changeRequestId: string | null;
}

export function HoldBanner({ hold, canRelease, compact = false }: { hold: Hold; canRelease: boolean; compact?: boolean }) {
  const client = useQueryClient();
  const release = useMutation({
    mutationFn: () => promotionApi(`/api/environments/${hold.environmentId}/hold`, { method: "DELETE" }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["pipeline"] });
      void client.invalidateQueries({ queryKey: ["environment", hold.environmentId] });
    },
  });
  return (
    <div
      role="status"
      data-testid="hold-banner"
      className={`rounded border-2 border-amber-400 bg-amber-50 text-amber-900 ${compact ? "p-2 text-xs" : "p-3 text-sm"}`}
    >
      <p className="font-semibold">⏸ Auto-sync held{hold.revision ? ` at ${shortSha(hold.revision)}` : ""}</p>
      {hold.reason && (
        <p className="mt-1" data-testid="hold-reason">
          {hold.reason}
        </p>
      )}
      <div className="mt-2 flex flex-wrap items-center gap-2">
        {hold.changeRequestId && (
          <Link href={`/changes/${hold.changeRequestId}`} className="text-sky-800 underline" data-testid="hold-revert-link">
            Revert change request
          </Link>
        )}
        {canRelease && (
          <Button
            variant="secondary"
            className="!px-2 !py-0.5 text-xs"
            disabled={release.isPending}
            onClick={() => {
              if (window.confirm("Release the hold? Auto-sync will follow the branch again, redeploying what Git says now.")) release.mutate();
            }}
          >
            {release.isPending ? "Releasing…" : "Release hold"}
          </Button>
        )}
      </div>
      <ErrorBox error={release.error} />
    </div>
  );
}

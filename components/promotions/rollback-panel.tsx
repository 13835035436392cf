"use client";
// "Roll back": earlier successful syncs of this environment (unavailable ones say why), a
// confirmation, and for admins on protected environments the audited emergency path.
import Link from "next/link";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, ErrorBox, relativeTime, shortSha } from "../ui";
import { promotionApi } from "./api";
import type { PromotionDetail, RollbackTarget } from "./types";

export function RollbackPanel({
  environmentId,
  environmentName,
  requiredApprovals,
  canOverride,
}: {
  environmentId: string;
  environmentName: string;
  requiredApprovals: number;
  canOverride: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [chosen, setChosen] = useState<RollbackTarget | null>(null);
  const targets = useQuery({
    queryKey: ["rollback-targets", environmentId],
    queryFn: () => promotionApi<{ items: RollbackTarget[] }>(`/api/environments/${environmentId}/rollback-targets`),
    enabled: open,
  });
  return (
    <section className="space-y-3 rounded border border-slate-200 bg-white p-4 text-sm" data-testid="rollback-panel">
      <div className="flex items-center gap-2">
        <h2 className="font-medium">Rollback</h2>
        <Button
          variant="secondary"
          className="ml-auto"
          data-testid="rollback-open"
          onClick={() => {
            setOpen(!open);
            setChosen(null);
          }}
        >
          {open ? "Close" : "Roll back…"}
        </Button>
      </div>
      {open && (
        <>
          <ErrorBox error={targets.error} />
          {!targets.data && !targets.error && <p className="text-slate-500">Loading earlier syncs…</p>}
          {targets.data?.items.length === 0 && <p className="text-slate-500">No successful sync yet.</p>}
          <ul className="divide-y divide-slate-100" data-testid="rollback-targets">
            {targets.data?.items.map((t) => (
              <li key={t.syncRunId} data-testid={`rollback-target-${shortSha(t.revision)}`} className="flex flex-wrap items-center gap-2 py-2">
                <span className="font-mono">{shortSha(t.revision)}</span>
                <span className="truncate">{t.subject ?? ""}</span>
                <span className="text-xs text-slate-500">
                  synced {relativeTime(t.startedAt)} by {t.actorName} ({t.trigger})
                </span>
                {t.current && <span className="rounded bg-emerald-100 px-1.5 text-xs text-emerald-800">running now</span>}
                {!t.available && (
                  <span className="text-xs text-rose-700" data-testid="rollback-unavailable">
                    {t.reason}
                  </span>
                )}
                <Button
                  variant="secondary"
                  className="ml-auto text-xs"
                  data-testid="rollback-choose"
                  disabled={t.current || !t.available}
                  title={t.reason ?? (t.current ? "This is what runs now" : undefined)}
                  onClick={() => setChosen(t)}
                >
                  Roll back to this
                </Button>
              </li>
            ))}
          </ul>
          {chosen && (
            <ConfirmRollback
              key={chosen.syncRunId}
              environmentId={environmentId}
              environmentName={environmentName}
              target={chosen}
              requiredApprovals={requiredApprovals}
              canOverride={canOverride}
              onCancel={() => setChosen(null)}
            />
          )}
        </>
      )}
    </section>
  );
}

function ConfirmRollback({
  environmentId,
  environmentName,
  target,
  requiredApprovals,
  canOverride,
  onCancel,
}: {
  environmentId: string;
  environmentName: string;
  target: RollbackTarget;
  requiredApprovals: number;
  canOverride: boolean;
  onCancel: () => void;
}) {
  const client = useQueryClient();
  const [emergency, setEmergency] = useState(false);
  const [reason, setReason] = useState("");
  const go = useMutation({
    mutationFn: () =>
      promotionApi<{ promotion: PromotionDetail }>(`/api/environments/${environmentId}/rollback`, {
        method: "POST",
        body: { syncRunId: target.syncRunId, emergency, ...(emergency ? { reason } : {}) },
      }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["environment", environmentId] });
      void client.invalidateQueries({ queryKey: ["rollback-targets", environmentId] });
    },
  });
  const protectedEnv = requiredApprovals > 0;
  if (go.data) {
    const p = go.data.promotion;
    return (
      <p data-testid="rollback-started" className="rounded border border-sky-300 bg-sky-50 px-3 py-2">
        {p.status === "awaiting_approval"
          ? `Rollback requested: it needs ${p.requiredApprovals} approval(s). `
          : `Rolling ${environmentName} back to ${shortSha(target.revision)}; auto-sync is held there. `}
        <Link href={`/promotions/${p.id}`} className="text-sky-700 underline">
          Follow it
        </Link>
      </p>
    );
  }
  return (
    <div data-testid="rollback-confirm" className="space-y-2 rounded border border-amber-300 bg-amber-50 p-3">
      <p>
        Sync {environmentName} to <span className="font-mono">{shortSha(target.revision)}</span> now and hold auto-sync there. A revert change request is opened
        so Git matches what runs; merging it releases the hold.
        {protectedEnv && !emergency && ` ${environmentName} is protected: the rollback waits for ${requiredApprovals} approval(s).`}
      </p>
      {protectedEnv && canOverride && (
        <div className="space-y-1">
          <label className="flex items-center gap-2 font-medium text-rose-800">
            <input type="checkbox" data-testid="rollback-emergency" checked={emergency} onChange={(e) => setEmergency(e.target.checked)} /> Emergency (skip
            approvals; recorded in the audit log)
          </label>
          {emergency && (
            <input
              data-testid="rollback-reason"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              placeholder="Reason"
              className="w-full rounded border border-slate-300 px-2 py-1.5"
            />
          )}
        </div>
      )}
      <ErrorBox error={go.error} />
      <div className="flex gap-2">
        <Button variant="danger" data-testid="rollback-confirm-button" disabled={go.isPending || (emergency && !reason.trim())} onClick={() => go.mutate()}>
          {go.isPending ? "Rolling back…" : protectedEnv && !emergency ? "Request rollback" : "Confirm rollback"}
        </Button>
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </div>
  );
}

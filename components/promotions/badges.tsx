// Promotion status and kind badges.
const STATUS: Record<string, string> = {
  proposed: "bg-slate-100 text-slate-700",
  awaiting_approval: "bg-amber-100 text-amber-800",
  approved: "bg-sky-100 text-sky-800",
  merged: "bg-sky-100 text-sky-800",
  syncing: "bg-sky-100 text-sky-800",
  succeeded: "bg-emerald-100 text-emerald-800",
  landed_degraded: "bg-amber-100 text-amber-800",
  rejected: "bg-rose-100 text-rose-800",
  failed: "bg-rose-100 text-rose-800",
};

export const statusLabel = (status: string) => (status === "landed_degraded" ? "landed, target Degraded" : status.replace("_", " "));

export function PromotionStatusBadge({ status, testId = "promotion-status" }: { status: string; testId?: string }) {
  return (
    <span data-testid={testId} data-status={status} className={`rounded px-2 py-0.5 text-xs font-medium ${STATUS[status] ?? STATUS.proposed}`}>
      {statusLabel(status)}
    </span>
  );
}

export function KindBadge({ kind }: { kind: string }) {
  return kind === "rollback" ? <span className="rounded bg-violet-100 px-2 py-0.5 text-xs font-medium text-violet-800">rollback</span> : null;
}

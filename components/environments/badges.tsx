// Sync and health badges, coloured the way Argo CD users read them.
const SYNC: Record<string, string> = {
  Synced: "bg-emerald-100 text-emerald-800",
  OutOfSync: "bg-amber-100 text-amber-800",
  Missing: "bg-amber-100 text-amber-800",
  Extraneous: "bg-violet-100 text-violet-800",
  Error: "bg-rose-100 text-rose-800",
  Unknown: "bg-slate-100 text-slate-700",
};
const HEALTH: Record<string, string> = {
  Healthy: "bg-emerald-100 text-emerald-800",
  Progressing: "bg-sky-100 text-sky-800",
  Degraded: "bg-rose-100 text-rose-800",
  Suspended: "bg-slate-200 text-slate-700",
  Missing: "bg-amber-100 text-amber-800",
  Unknown: "bg-slate-100 text-slate-700",
};

export function SyncBadge({ status }: { status: string }) {
  return (
    <span data-testid="sync-status" className={`rounded px-2 py-0.5 text-xs font-medium ${SYNC[status] ?? SYNC.Unknown}`}>
      {status}
    </span>
  );
}

export function HealthBadge({ status, title }: { status: string; title?: string | null }) {
  return (
    <span data-testid="health-status" title={title ?? undefined} className={`rounded px-2 py-0.5 text-xs font-medium ${HEALTH[status] ?? HEALTH.Unknown}`}>
      {status}
    </span>
  );
}

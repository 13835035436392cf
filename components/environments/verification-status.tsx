"use client";
// The latest verification of an environment (or of a promotion): progress while it runs, then
// its verdict with the reason and what happened about rolling back.
export interface VerificationView {
  id: string;
  revision: string;
  status: string;
  reason: string | null;
  deadline: string;
  healthyMinutes: number;
  windowProgress: number;
  checks: Array<{ kind: string; name: string; status: string; message: string }>;
  rollback: { status: string; reason: string | null; promotionId: string | null } | null;
}

const tone: Record<string, string> = {
  running: "border-sky-200 bg-sky-50 text-sky-900",
  passed: "border-emerald-200 bg-emerald-50 text-emerald-900",
  failed: "border-red-200 bg-red-50 text-red-900",
  superseded: "border-slate-200 bg-slate-50 text-slate-700",
};

export function VerificationStatus({ verification: v }: { verification: VerificationView | null | undefined }) {
  if (!v) return null;
  const label =
    v.status === "running"
      ? `Verifying ${v.revision.slice(0, 7)}`
      : v.status === "passed"
        ? `Verified ${v.revision.slice(0, 7)}`
        : v.status === "failed"
          ? `Verification of ${v.revision.slice(0, 7)} failed`
          : `Verification of ${v.revision.slice(0, 7)} superseded`;
  return (
    <div className={`rounded border px-3 py-2 text-sm ${tone[v.status] ?? tone.superseded}`} data-testid="verification-status" data-status={v.status}>
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium">{label}</span>
        {v.status === "running" && v.healthyMinutes > 0 && (
          <span className="inline-flex items-center gap-1 text-xs">
            <span className="inline-block h-1.5 w-24 overflow-hidden rounded bg-sky-100">
              <span className="block h-full bg-sky-500" style={{ width: `${Math.round(v.windowProgress * 100)}%` }} />
            </span>
            Healthy {Math.round(v.windowProgress * 100)}% of the window; deadline {new Date(v.deadline).toISOString().slice(11, 19)} UTC
          </span>
        )}
        {v.checks.map((c) => (
          <span key={`${c.kind}:${c.name}`} className="rounded bg-white/60 px-1.5 text-xs" title={c.message}>
            {c.name}: {c.status}
          </span>
        ))}
      </div>
      {v.reason && <p className="mt-1 text-xs">{v.reason}</p>}
      {v.rollback && v.rollback.status !== "off" && (
        <p className="mt-1 text-xs" data-testid="verification-rollback">
          {v.rollback.status === "started"
            ? "Rolled back automatically to the last verified revision (auto-sync held until the revert change request merges)."
            : `Not rolled back automatically: ${v.rollback.reason ?? v.rollback.status}`}
        </p>
      )}
    </div>
  );
}

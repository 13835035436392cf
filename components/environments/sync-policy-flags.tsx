"use client";
// Auto-sync, prune and self-heal, with self-heal tied to auto-sync: self-heal reverts drift by
// syncing automatically, so without auto-sync it would do nothing (the API refuses that too).
export interface SyncPolicy {
  autoSync: boolean;
  prune: boolean;
  selfHeal: boolean;
}

export function SyncPolicyFlags({
  value,
  onChange,
  disabled = false,
  compact = false,
}: {
  value: SyncPolicy;
  onChange: (v: SyncPolicy) => void;
  disabled?: boolean;
  compact?: boolean;
}) {
  const box = (key: keyof SyncPolicy, label: string, extra: { disabled?: boolean; title?: string } = {}) => (
    <label className={`flex items-center gap-2 text-sm ${extra.disabled ? "text-slate-400" : ""}`} title={extra.title}>
      <input
        type="checkbox"
        name={key}
        data-testid={`flag-${key}`}
        disabled={disabled || extra.disabled}
        checked={value[key]}
        onChange={(e) =>
          onChange(key === "autoSync" && !e.target.checked ? { ...value, autoSync: false, selfHeal: false } : { ...value, [key]: e.target.checked })
        }
      />
      {label}
    </label>
  );
  const selfHealHint = "Self-heal reverts changes made in the cluster by syncing automatically: turn on auto-sync first";
  return (
    <div className={compact ? "flex flex-wrap items-center gap-x-4 gap-y-1" : "space-y-3"} data-testid="sync-policy-flags">
      {box("autoSync", compact ? "auto-sync" : "Auto-sync: apply new commits automatically")}
      {box("prune", compact ? "prune" : "Prune: delete objects that left Git (only those Tideline applied)")}
      {box("selfHeal", compact ? "self-heal" : "Self-heal: revert changes made directly in the cluster", {
        disabled: !value.autoSync,
        title: !value.autoSync ? selfHealHint : undefined,
      })}
      {!value.autoSync && (
        <p className="text-xs text-slate-500" data-testid="self-heal-hint">
          {selfHealHint}.
        </p>
      )}
    </div>
  );
}

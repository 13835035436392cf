"use client";
// Verification after each sync and automatic rollback (part of the environment settings form):
// the healthy window, check Jobs, an HTTP check on an allow-listed host, and rolling back.
export interface VerificationFields {
  verifyHealthyMinutes: number;
  verifyTimeoutMinutes: number;
  verifyJobs: boolean;
  verifyHttpUrl: string;
  verifyHttpStatus: number;
  verifyHttpTimeoutSeconds: number;
  autoRollback: boolean;
}

export const verificationOf = (e: Partial<Omit<VerificationFields, "verifyHttpUrl">> & { verifyHttpUrl?: string | null }): VerificationFields => ({
  verifyHealthyMinutes: e.verifyHealthyMinutes ?? 0,
  verifyTimeoutMinutes: e.verifyTimeoutMinutes ?? 10,
  verifyJobs: e.verifyJobs ?? false,
  verifyHttpUrl: e.verifyHttpUrl ?? "",
  verifyHttpStatus: e.verifyHttpStatus ?? 200,
  verifyHttpTimeoutSeconds: e.verifyHttpTimeoutSeconds ?? 10,
  autoRollback: e.autoRollback ?? false,
});

/** The PATCH body's part: an empty URL turns the HTTP check off. */
export const verificationBody = (v: VerificationFields) => ({ ...v, verifyHttpUrl: v.verifyHttpUrl.trim() || null });

export function VerificationSettings({
  value,
  disabled,
  onChange,
}: {
  value: VerificationFields;
  disabled: boolean;
  onChange: (v: VerificationFields) => void;
}) {
  const input = "mt-1 w-full rounded border border-slate-300 px-2 py-1.5";
  const num = (key: "verifyHealthyMinutes" | "verifyTimeoutMinutes" | "verifyHttpStatus" | "verifyHttpTimeoutSeconds", label: string, step = "1") => (
    <label className="block">
      <span className="text-slate-600">{label}</span>
      <input
        name={key}
        type="number"
        min={0}
        step={step}
        value={value[key]}
        disabled={disabled}
        onChange={(e) => onChange({ ...value, [key]: Number(e.target.value) })}
        className={input}
      />
    </label>
  );
  return (
    <section className="space-y-2" data-testid="verification-settings">
      <h3 className="font-medium">Verification after a sync</h3>
      <p className="text-xs text-slate-500">
        After each sync of a new revision: it must stay Healthy for the window, within the timeout; Jobs annotated tideline.dev/verify: &quot;true&quot; run as
        checks; the HTTP check must answer the expected status (its host must be on TIDELINE_OUTBOUND_HOSTS).
      </p>
      <div className="grid grid-cols-1 gap-3 md:grid-cols-4">
        {num("verifyHealthyMinutes", "Healthy for (minutes, 0 = off)", "0.5")}
        {num("verifyTimeoutMinutes", "Within (minutes)", "0.5")}
        <label className="block md:col-span-2">
          <span className="text-slate-600">HTTP check URL (empty = none)</span>
          <input
            name="verifyHttpUrl"
            value={value.verifyHttpUrl}
            disabled={disabled}
            placeholder="https://shop.example.com/healthz"
            onChange={(e) => onChange({ ...value, verifyHttpUrl: e.target.value })}
            className={input}
          />
        </label>
        {num("verifyHttpStatus", "Expected status")}
        {num("verifyHttpTimeoutSeconds", "HTTP timeout (seconds)")}
      </div>
      <label className="flex items-center gap-2">
        <input
          type="checkbox"
          name="verifyJobs"
          checked={value.verifyJobs}
          disabled={disabled}
          onChange={(e) => onChange({ ...value, verifyJobs: e.target.checked })}
        />{" "}
        Run check Jobs (tideline.dev/verify) after the sync
      </label>
      <label className="flex items-center gap-2">
        <input
          type="checkbox"
          name="autoRollback"
          checked={value.autoRollback}
          disabled={disabled}
          onChange={(e) => onChange({ ...value, autoRollback: e.target.checked })}
        />{" "}
        Roll back automatically to the last verified revision when verification fails (hold + revert change request; not inside a freeze window)
      </label>
    </section>
  );
}

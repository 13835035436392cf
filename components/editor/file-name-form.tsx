"use client";
// The name of a new file, or the new name of a renamed one: checked as it is typed with the
// rule the API enforces (relative, no "..", nothing in .git), then for clashes at the base.
import { useState } from "react";
import { editPathProblem } from "@/lib/changes/edit-path";
import { Button } from "../ui";

export function FileNameForm({
  label,
  initial,
  submitLabel,
  taken,
  onSubmit,
  onCancel,
}: {
  label: string;
  initial: string;
  submitLabel: string;
  /** Resolves to a reason when the name is already used (a file at the base, or another draft). */
  taken: (path: string) => Promise<string | null>;
  onSubmit: (path: string) => void;
  onCancel: () => void;
}) {
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const problem = value.trim() ? editPathProblem(value) : null;
  return (
    <form
      className="space-y-1 rounded border border-slate-200 bg-white p-2 text-sm"
      data-testid="file-name-form"
      onSubmit={async (e) => {
        e.preventDefault();
        const path = value.trim();
        const bad = editPathProblem(path);
        if (bad) return setError(`Path ${bad}`);
        setBusy(true);
        try {
          const clash = await taken(path);
          if (clash) return setError(clash);
          onSubmit(path);
        } catch (err) {
          setError((err as Error).message);
        } finally {
          setBusy(false);
        }
      }}
    >
      <label className="block">
        <span className="text-xs text-slate-600">{label}</span>
        <input
          autoFocus
          data-testid="file-name-input"
          value={value}
          onChange={(e) => {
            setValue(e.target.value);
            setError(null);
          }}
          placeholder="apps/guestbook/base/new.yaml"
          className="mt-1 w-full rounded border border-slate-300 px-2 py-1 font-mono text-xs"
        />
      </label>
      {(error ?? (problem && `Path ${problem}`)) && (
        <p data-testid="file-name-error" className="text-xs text-rose-700">
          {error ?? `Path ${problem}`}
        </p>
      )}
      <div className="flex gap-2">
        <Button type="submit" data-testid="file-name-submit" disabled={busy || !!problem || !value.trim()}>
          {submitLabel}
        </Button>
        <Button type="button" variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

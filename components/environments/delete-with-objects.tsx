"use client";
// Deleting an environment or an application: first what happens to the live objects (keep them,
// or prune the ones carrying the inventory label), then a confirmation that names how many.
import { useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox } from "../ui";

interface Preview {
  liveObjects: number;
  objects?: Array<{ kind: string; namespace: string; name: string }>;
  environments?: Array<{ environment: string; liveObjects: number; objects: Array<{ kind: string; namespace: string; name: string }> }>;
}

export function DeleteWithObjects({
  what,
  previewUrl,
  deleteUrl,
  testId,
  onDeleted,
}: {
  what: string;
  previewUrl: string;
  deleteUrl: string;
  testId: string;
  onDeleted: (pruning: boolean) => void;
}) {
  const [open, setOpen] = useState(false);
  const [prune, setPrune] = useState<boolean | null>(null);
  const preview = useQuery({ queryKey: ["deletion", previewUrl], queryFn: () => api<Preview>(previewUrl), enabled: open });
  const remove = useMutation({
    mutationFn: () => api<{ pruning: boolean }>(`${deleteUrl}?prune=${prune ? "true" : "false"}`, { method: "DELETE" }),
    onSuccess: (r) => onDeleted(r.pruning),
  });
  const n = preview.data?.liveObjects ?? 0;
  const objects = preview.data?.objects ?? preview.data?.environments?.flatMap((e) => e.objects) ?? [];
  return (
    <section data-testid={testId} className="space-y-2 rounded border border-rose-200 bg-white p-4 text-sm">
      <h3 className="font-medium text-rose-800">Delete {what}</h3>
      {!open && (
        <Button variant="secondary" data-testid="delete-start" onClick={() => setOpen(true)}>
          Delete {what}…
        </Button>
      )}
      {open && (
        <div className="space-y-2">
          {preview.isLoading && <p className="text-slate-500">Counting the live objects…</p>}
          <ErrorBox error={preview.error} />
          {preview.data && (
            <>
              <p data-testid="delete-live-count">
                {n} live object(s) in the cluster carry {what}&apos;s inventory label.
              </p>
              <label className="flex items-center gap-2">
                <input type="radio" name="delete-objects" data-testid="delete-keep" checked={prune === false} onChange={() => setPrune(false)} /> Keep them
                running (Tideline stops managing them)
              </label>
              <label className="flex items-center gap-2">
                <input type="radio" name="delete-objects" data-testid="delete-prune" checked={prune === true} onChange={() => setPrune(true)} /> Prune them:
                delete the {n} object(s) from the cluster
              </label>
              {prune && objects.length > 0 && (
                <ul className="max-h-40 overflow-auto rounded bg-slate-50 px-3 py-1 font-mono text-xs" data-testid="delete-objects">
                  {objects.map((o) => (
                    <li key={`${o.kind}/${o.namespace}/${o.name}`}>
                      {o.kind}/{o.namespace ? `${o.namespace}/` : ""}
                      {o.name}
                    </li>
                  ))}
                </ul>
              )}
              <ErrorBox error={remove.error} />
              <div className="flex gap-2">
                <Button variant="danger" data-testid="delete-confirm" disabled={prune === null || remove.isPending} onClick={() => remove.mutate()}>
                  {prune === null
                    ? "Choose what happens to the objects"
                    : prune
                      ? `Delete ${what} and its ${n} live object(s)`
                      : `Delete ${what}, keep its ${n} live object(s)`}
                </Button>
                <Button
                  variant="secondary"
                  onClick={() => {
                    setOpen(false);
                    setPrune(null);
                  }}
                >
                  Cancel
                </Button>
              </div>
            </>
          )}
        </div>
      )}
    </section>
  );
}

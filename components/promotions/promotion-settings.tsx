"use client";
// Promotion and protection settings of an environment (admins change them).
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Button, ErrorBox } from "../ui";
import { promotionApi } from "./api";

export interface PromotionSettingsValue {
  requiredApprovals: number;
  soakMinutes: number;
  unhealthySourcePolicy: string;
  syncAfterPromotion: boolean;
  promotionStrategy: string;
}

export function PromotionSettingsForm({
  environmentId,
  initial,
  canConfigure,
}: {
  environmentId: string;
  initial: PromotionSettingsValue;
  canConfigure: boolean;
}) {
  const client = useQueryClient();
  // The user's unsaved edits; without any, the form shows the server's values as they refresh.
  // (Remounting on every refresh instead lost both the edits and the "Saved." confirmation.)
  const [draft, setDraft] = useState<PromotionSettingsValue | null>(null);
  const v = draft ?? initial;
  const setV = (next: PromotionSettingsValue) => {
    save.reset();
    setDraft(next);
  };
  const save = useMutation({
    mutationFn: () => promotionApi<{ environment: PromotionSettingsValue }>(`/api/environments/${environmentId}`, { method: "PATCH", body: v }),
    onSuccess: (saved) => {
      // Show the saved values at once (no flicker back to the old ones until the refetch lands).
      client.setQueryData(["environment", environmentId], (old: { environment?: object } | undefined) =>
        old ? { ...old, environment: { ...old.environment, ...saved.environment } } : old,
      );
      setDraft(null);
      void client.invalidateQueries({ queryKey: ["environment", environmentId] });
      void client.invalidateQueries({ queryKey: ["pipeline"] });
    },
  });
  const field = "mt-1 w-full rounded border border-slate-300 px-2 py-1.5";
  return (
    <form
      data-testid="promotion-settings"
      className="space-y-3 rounded border border-slate-200 bg-white p-4 text-sm"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <h2 className="font-medium">Promotion and protection</h2>
      <div className="grid grid-cols-2 gap-3">
        <label>
          Required approvals (0 = unprotected)
          <input
            name="requiredApprovals"
            type="number"
            min={0}
            max={10}
            disabled={!canConfigure}
            value={v.requiredApprovals}
            onChange={(e) => setV({ ...v, requiredApprovals: Number(e.target.value) })}
            className={field}
          />
        </label>
        <label>
          Soak time of the source (minutes healthy)
          <input
            name="soakMinutes"
            type="number"
            min={0}
            max={1440}
            disabled={!canConfigure}
            value={v.soakMinutes}
            onChange={(e) => setV({ ...v, soakMinutes: Number(e.target.value) })}
            className={field}
          />
        </label>
        <label>
          Unhealthy or out-of-sync source
          <select
            name="unhealthySourcePolicy"
            disabled={!canConfigure}
            value={v.unhealthySourcePolicy}
            onChange={(e) => setV({ ...v, unhealthySourcePolicy: e.target.value })}
            className={field}
          >
            <option value="warn">warn (promote after confirming)</option>
            <option value="block">block</option>
          </select>
        </label>
        <label>
          Strategy
          <select
            name="promotionStrategy"
            disabled={!canConfigure}
            value={v.promotionStrategy}
            onChange={(e) => setV({ ...v, promotionStrategy: e.target.value })}
            className={field}
          >
            <option value="images">images: rewrite image references</option>
            <option value="folder">folder: copy the source folder</option>
            <option value="branch">branch: merge the source branch</option>
          </select>
        </label>
      </div>
      <label className="flex items-center gap-2">
        <input
          name="syncAfterPromotion"
          type="checkbox"
          disabled={!canConfigure}
          checked={v.syncAfterPromotion}
          onChange={(e) => setV({ ...v, syncAfterPromotion: e.target.checked })}
        />{" "}
        Sync right after a promotion lands
      </label>
      <ErrorBox error={save.error} />
      {canConfigure && (
        <Button type="submit" data-testid="promotion-settings-save" disabled={save.isPending}>
          Save promotion settings
        </Button>
      )}
      {save.isSuccess && (
        <span className="ml-2 text-emerald-700" data-testid="promotion-settings-saved">
          Saved.
        </span>
      )}
    </form>
  );
}

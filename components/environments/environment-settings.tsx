"use client";
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox } from "../ui";
import type { EnvironmentView } from "./types";

const FLAGS = [
  ["autoSync", "Auto-sync: apply new commits automatically"],
  ["prune", "Prune: delete objects that left Git (only those Tideline applied)"],
  ["selfHeal", "Self-heal: revert changes made directly in the cluster"],
  ["detectOnly", "Detect only: report drift, never sync"],
  ["allowEmpty", "Allow empty renders to prune everything"],
] as const;

export function EnvironmentSettings({ environment, canConfigure }: { environment: EnvironmentView; canConfigure: boolean }) {
  const client = useQueryClient();
  const [flags, setFlags] = useState(() => Object.fromEntries(FLAGS.map(([k]) => [k, environment[k]])) as Record<(typeof FLAGS)[number][0], boolean>);
  const [rules, setRules] = useState(JSON.stringify(environment.ignoreRules, null, 2));
  const [parseError, setParseError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: () => {
      let ignoreRules;
      try {
        ignoreRules = JSON.parse(rules);
      } catch {
        throw new Error("Ignore rules must be a JSON list, e.g. [{\"kind\": \"Deployment\", \"jsonPointers\": [\"/spec/replicas\"]}]");
      }
      return api(`/api/environments/${environment.id}`, { method: "PATCH", body: { ...flags, ignoreRules } });
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: ["environment", environment.id] }),
  });
  return (
    <form className="space-y-3 rounded border border-slate-200 bg-white p-4 text-sm" data-testid="environment-settings" onSubmit={(e) => { e.preventDefault(); setParseError(null); save.mutate(); }}>
      {FLAGS.map(([key, label]) => (
        <label key={key} className="flex items-center gap-2">
          <input type="checkbox" name={key} disabled={!canConfigure} checked={flags[key]} onChange={(e) => setFlags({ ...flags, [key]: e.target.checked })} /> {label}
        </label>
      ))}
      <label className="block">
        <span className="text-slate-600">Ignore rules (JSON pointers per kind/name, e.g. replicas managed by an HPA)</span>
        <textarea name="ignoreRules" value={rules} disabled={!canConfigure} onChange={(e) => setRules(e.target.value)} rows={5} className="mt-1 w-full rounded border border-slate-300 px-2 py-1.5 font-mono text-xs" />
      </label>
      <ErrorBox error={parseError ?? save.error} />
      {canConfigure && <Button type="submit" disabled={save.isPending}>Save settings</Button>}
      {save.isSuccess && <span className="ml-2 text-emerald-700">Saved.</span>}
    </form>
  );
}

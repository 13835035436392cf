"use client";
// What a change does to each environment following its branch: objects added, modified or
// removed (with the fields that would differ from the cluster) and render or dry-run errors.
import { useState } from "react";
import type { EnvironmentImpact, ImpactObject } from "./types";

const STATUS_STYLE = {
  unchanged: "bg-slate-100 text-slate-700",
  changed: "bg-amber-100 text-amber-800",
  error: "bg-rose-100 text-rose-800",
  preexisting_error: "bg-slate-200 text-slate-800",
};
const STATUS_LABEL = { unchanged: "unchanged", changed: "changed", error: "error", preexisting_error: "already failing (not caused by this change)" };

export function ImpactView({ impact }: { impact: EnvironmentImpact[] }) {
  if (impact.length === 0)
    return (
      <p className="text-sm text-slate-500" data-testid="impact-none">
        No environment follows this branch, so nothing is deployed by this change.
      </p>
    );
  return (
    <div className="space-y-3" data-testid="impact">
      {impact.map((env) => (
        <section key={env.environmentId} data-testid={`impact-env-${env.application}-${env.environment}`} className="rounded border border-slate-200 bg-white">
          <header className="flex items-center gap-2 border-b border-slate-100 px-3 py-2 text-sm">
            <span className="font-medium">
              {env.application} / {env.environment}
            </span>
            <span data-testid="impact-status" data-status={env.status} className={`rounded px-2 py-0.5 text-xs ${STATUS_STYLE[env.status]}`}>
              {STATUS_LABEL[env.status]}
            </span>
            <span className="text-xs text-slate-500">{env.objects.length} object(s)</span>
          </header>
          {env.error && (
            <p data-testid="impact-error" className={`px-3 py-2 text-sm ${env.status === "preexisting_error" ? "text-slate-600" : "text-rose-700"}`}>
              {env.error}
            </p>
          )}
          {env.objects.length > 0 && (
            <ul className="divide-y divide-slate-100 text-sm">
              {env.objects.map((o) => (
                <ImpactRow key={o.id} object={o} />
              ))}
            </ul>
          )}
        </section>
      ))}
    </div>
  );
}

const CHANGE_STYLE = { added: "text-emerald-700", modified: "text-amber-700", removed: "text-rose-700" };

function ImpactRow({ object: o }: { object: ImpactObject }) {
  const [open, setOpen] = useState(false);
  const fields = o.changes ?? [];
  return (
    <li data-testid={`impact-object-${o.kind}-${o.name}`} className="px-3 py-1.5">
      <button type="button" className="flex w-full items-center gap-2 text-left" onClick={() => setOpen(!open)} data-testid="impact-object-toggle">
        <span className={`w-16 text-xs font-semibold ${CHANGE_STYLE[o.change]}`}>{o.change}</span>
        <span className="font-mono text-xs">
          {o.kind}/{o.namespace ? `${o.namespace}/` : ""}
          {o.name}
        </span>
        <span className="text-xs text-slate-500">{o.syncStatus}</span>
        {o.error && <span className="truncate text-xs text-rose-700">{o.error}</span>}
      </button>
      {open && (
        <div className="mt-1 pl-18 text-xs" data-testid="impact-object-diff">
          {o.error && <p className="text-rose-700">{o.error}</p>}
          {fields.length === 0 && !o.error && (
            <p className="text-slate-500">
              {o.syncStatus === "Missing"
                ? "Not in the cluster yet: it would be created."
                : o.change === "removed"
                  ? "Would be pruned (if prune is on)."
                  : "No field differences against the live object."}
            </p>
          )}
          {fields.length > 0 && (
            <table className="w-full font-mono">
              <thead className="text-left text-slate-500">
                <tr>
                  <th className="pr-3">field</th>
                  <th className="pr-3">live</th>
                  <th>after this change</th>
                </tr>
              </thead>
              <tbody>
                {fields.map((f) => (
                  <tr key={f.path} className="align-top">
                    <td className="pr-3">{f.path}</td>
                    <td className="pr-3 text-rose-700">{show(f.live)}</td>
                    <td className="text-emerald-700">{show(f.desired)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </li>
  );
}

const show = (v: unknown) => (v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v));

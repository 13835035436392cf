"use client";
// Picks a project, application or environment (for subscriptions and freeze windows).
import { useQuery } from "@tanstack/react-query";
import { api } from "../api";

interface AppRow {
  id: string;
  name: string;
  project: { id: string; name: string };
  environments: Array<{ id: string; name: string }>;
}

export function useScopes() {
  const apps = useQuery({ queryKey: ["applications"], queryFn: () => api<{ items: AppRow[] }>("/api/applications") });
  const projects = useQuery({ queryKey: ["projects"], queryFn: () => api<{ items: Array<{ id: string; name: string }> }>("/api/projects") });
  const options = {
    project: (projects.data?.items ?? []).map((p) => ({ id: p.id, label: p.name })),
    application: (apps.data?.items ?? []).map((a) => ({ id: a.id, label: a.name })),
    environment: (apps.data?.items ?? []).flatMap((a) => a.environments.map((e) => ({ id: e.id, label: `${a.name}/${e.name}` }))),
  };
  const label = (type: string, id: string) => options[type as keyof typeof options]?.find((o) => o.id === id)?.label ?? id;
  return { options, label };
}

export function ScopePicker({
  types,
  scopeType,
  scopeId,
  onChange,
}: {
  types: Array<"project" | "application" | "environment">;
  scopeType: string;
  scopeId: string;
  onChange: (type: string, id: string) => void;
}) {
  const { options } = useScopes();
  const list = options[scopeType as keyof typeof options] ?? [];
  return (
    <span className="flex gap-2">
      <select
        data-testid="scope-type"
        className="rounded border border-slate-300 px-2 py-1 text-sm"
        value={scopeType}
        onChange={(e) => onChange(e.target.value, "")}
      >
        {types.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
      <select
        data-testid="scope-id"
        className="rounded border border-slate-300 px-2 py-1 text-sm"
        value={scopeId}
        onChange={(e) => onChange(scopeType, e.target.value)}
      >
        <option value="">choose…</option>
        {list.map((o) => (
          <option key={o.id} value={o.id}>
            {o.label}
          </option>
        ))}
      </select>
    </span>
  );
}

"use client";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox } from "../ui";

interface Option { id: string; name: string }

export function CreateEnvironmentForm({ applicationId }: { applicationId: string }) {
  const client = useQueryClient();
  const repos = useQuery({ queryKey: ["repositories"], queryFn: () => api<{ items: Option[] }>("/api/repositories") });
  const clusters = useQuery({ queryKey: ["clusters"], queryFn: () => api<{ items: Option[] }>("/api/clusters") });
  const [form, setForm] = useState({ name: "", repositoryId: "", branch: "main", path: "", clusterId: "", namespace: "", renderer: "auto", autoSync: false, prune: false, selfHeal: false });
  const create = useMutation({
    mutationFn: () =>
      api(`/api/applications/${applicationId}/environments`, {
        method: "POST",
        body: { ...form, repositoryId: form.repositoryId || repos.data?.items[0]?.id, clusterId: form.clusterId || clusters.data?.items[0]?.id },
      }),
    onSuccess: () => {
      setForm({ ...form, name: "", path: "", namespace: "" });
      void client.invalidateQueries({ queryKey: ["application", applicationId] });
    },
  });
  const text = (key: "name" | "branch" | "path" | "namespace", label: string, placeholder = "") => (
    <label className="text-sm"><span className="block text-slate-600">{label}</span>
      <input name={`env-${key}`} value={form[key]} placeholder={placeholder} onChange={(e) => setForm({ ...form, [key]: e.target.value })} className="mt-1 w-full rounded border border-slate-300 px-2 py-1.5" />
    </label>
  );
  const flag = (key: "autoSync" | "prune" | "selfHeal", label: string) => (
    <label className="flex items-center gap-1 text-sm"><input type="checkbox" checked={form[key]} onChange={(e) => setForm({ ...form, [key]: e.target.checked })} /> {label}</label>
  );
  return (
    <form data-testid="create-environment-form" className="space-y-3 rounded border border-slate-200 bg-white p-4" onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
      <h2 className="font-medium">Add an environment</h2>
      <div className="grid grid-cols-1 gap-3 md:grid-cols-4">
        {text("name", "Name", "dev")}
        <label className="text-sm"><span className="block text-slate-600">Repository</span>
          <select name="env-repository" value={form.repositoryId} onChange={(e) => setForm({ ...form, repositoryId: e.target.value })} className="mt-1 w-full rounded border border-slate-300 px-2 py-1.5">
            {(repos.data?.items ?? []).map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
          </select>
        </label>
        {text("branch", "Branch")}
        {text("path", "Path", "apps/guestbook/overlays/dev")}
        <label className="text-sm"><span className="block text-slate-600">Cluster</span>
          <select name="env-cluster" value={form.clusterId} onChange={(e) => setForm({ ...form, clusterId: e.target.value })} className="mt-1 w-full rounded border border-slate-300 px-2 py-1.5">
            {(clusters.data?.items ?? []).map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
          </select>
        </label>
        {text("namespace", "Namespace", "guestbook-dev")}
        <label className="text-sm"><span className="block text-slate-600">Renderer</span>
          <select name="env-renderer" value={form.renderer} onChange={(e) => setForm({ ...form, renderer: e.target.value })} className="mt-1 w-full rounded border border-slate-300 px-2 py-1.5">
            <option value="auto">detect from folder</option><option value="kustomize">Kustomize</option><option value="helm">Helm</option><option value="plain">plain YAML</option>
          </select>
        </label>
        <div className="flex flex-wrap items-end gap-3">{flag("autoSync", "auto-sync")}{flag("prune", "prune")}{flag("selfHeal", "self-heal")}</div>
      </div>
      <ErrorBox error={create.error} />
      <Button type="submit" disabled={create.isPending}>Add environment</Button>
    </form>
  );
}

"use client";
// Add an environment: source (repository, branch preselected from the remote's HEAD, folder,
// renderer, Helm release and values files), destination, and sync policy.
import { useEffect, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox } from "../ui";
import { SyncPolicyFlags } from "./sync-policy-flags";
import { parseValuesFiles } from "./values-files";

interface Option {
  id: string;
  name: string;
}
interface RepositoryOption extends Option {
  defaultBranch: string | null;
}

const EMPTY = {
  name: "",
  repositoryId: "",
  branch: "",
  path: "",
  clusterId: "",
  namespace: "",
  renderer: "auto",
  helmReleaseName: "",
  helmValuesFiles: "",
  autoSync: false,
  prune: false,
  selfHeal: false,
};

export function CreateEnvironmentForm({ applicationId }: { applicationId: string }) {
  const client = useQueryClient();
  const repos = useQuery({ queryKey: ["repositories"], queryFn: () => api<{ items: RepositoryOption[] }>("/api/repositories") });
  const clusters = useQuery({ queryKey: ["clusters"], queryFn: () => api<{ items: Option[] }>("/api/clusters") });
  const [form, setForm] = useState(EMPTY);
  // The branch the user has not typed follows the chosen repository's default branch (its remote HEAD).
  const [branchTouched, setBranchTouched] = useState(false);
  const repositoryId = form.repositoryId || repos.data?.items[0]?.id || "";
  const repo = repos.data?.items.find((r) => r.id === repositoryId);
  const branches = useQuery({
    queryKey: ["branches", repositoryId],
    queryFn: () => api<{ items: Array<{ name: string; isDefault: boolean }> }>(`/api/repositories/${repositoryId}/branches`),
    enabled: !!repositoryId,
  });
  const defaultBranch = repo?.defaultBranch ?? branches.data?.items.find((b) => b.isDefault)?.name ?? "";
  useEffect(() => {
    if (!branchTouched) setForm((f) => (f.branch === defaultBranch ? f : { ...f, branch: defaultBranch }));
  }, [defaultBranch, branchTouched]);
  const create = useMutation({
    mutationFn: () => {
      const { helmReleaseName, helmValuesFiles, branch, ...rest } = form;
      return api(`/api/applications/${applicationId}/environments`, {
        method: "POST",
        body: {
          ...rest,
          ...(branch ? { branch } : {}),
          repositoryId,
          clusterId: form.clusterId || clusters.data?.items[0]?.id,
          helmReleaseName: helmReleaseName.trim() || null,
          helmValuesFiles: parseValuesFiles(helmValuesFiles),
        },
      });
    },
    onSuccess: () => {
      setForm((f) => ({ ...f, name: "", path: "", namespace: "", helmReleaseName: "", helmValuesFiles: "" }));
      void client.invalidateQueries({ queryKey: ["application", applicationId] });
    },
  });
  const input = "mt-1 w-full rounded border border-slate-300 px-2 py-1.5";
  const text = (key: "name" | "path" | "namespace" | "helmReleaseName", label: string, placeholder = "") => (
    <label className="text-sm">
      <span className="block text-slate-600">{label}</span>
      <input
        name={`env-${key}`}
        value={form[key]}
        placeholder={placeholder}
        onChange={(e) => {
          const value = e.target.value;
          setForm((f) => ({ ...f, [key]: value }));
        }}
        className={input}
      />
    </label>
  );
  const helm = form.renderer === "helm" || form.renderer === "auto";
  return (
    <form
      data-testid="create-environment-form"
      className="space-y-3 rounded border border-slate-200 bg-white p-4"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <h2 className="font-medium">Add an environment</h2>
      <div className="grid grid-cols-1 gap-3 md:grid-cols-4">
        {text("name", "Name", "dev")}
        <label className="text-sm">
          <span className="block text-slate-600">Repository</span>
          <select
            name="env-repository"
            value={repositoryId}
            onChange={(e) => {
              setBranchTouched(false);
              const value = e.target.value;
              // From the latest state: the default-branch effect may have set the branch since this render.
              setForm((f) => ({ ...f, repositoryId: value }));
            }}
            className={input}
          >
            {(repos.data?.items ?? []).map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm">
          <span className="block text-slate-600">
            Branch{defaultBranch ? <span className="text-xs text-slate-400"> (default: {defaultBranch})</span> : null}
          </span>
          <input
            name="env-branch"
            list="env-branch-options"
            value={form.branch}
            placeholder={defaultBranch}
            onChange={(e) => {
              setBranchTouched(true);
              const value = e.target.value;
              setForm((f) => ({ ...f, branch: value }));
            }}
            className={input}
          />
          <datalist id="env-branch-options">
            {(branches.data?.items ?? []).map((b) => (
              <option key={b.name} value={b.name} />
            ))}
          </datalist>
        </label>
        {text("path", "Path", "apps/guestbook/overlays/dev")}
        <label className="text-sm">
          <span className="block text-slate-600">Cluster</span>
          <select
            name="env-cluster"
            value={form.clusterId}
            onChange={(e) => {
              const value = e.target.value;
              setForm((f) => ({ ...f, clusterId: value }));
            }}
            className={input}
          >
            {(clusters.data?.items ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        {text("namespace", "Namespace", "guestbook-dev")}
        <label className="text-sm">
          <span className="block text-slate-600">Renderer</span>
          <select
            name="env-renderer"
            value={form.renderer}
            onChange={(e) => {
              const value = e.target.value;
              setForm((f) => ({ ...f, renderer: value }));
            }}
            className={input}
          >
            <option value="auto">detect from folder</option>
            <option value="kustomize">Kustomize</option>
            <option value="helm">Helm</option>
            <option value="plain">plain YAML</option>
          </select>
        </label>
        {helm && text("helmReleaseName", "Helm release name (Helm only)", "the folder's name")}
        {helm && (
          <label className="text-sm md:col-span-2">
            <span className="block text-slate-600">
              Helm values files (Helm only; relative to the folder, one per line or comma-separated, applied in order)
            </span>
            <textarea
              name="env-helmValuesFiles"
              rows={2}
              value={form.helmValuesFiles}
              placeholder="values-production.yaml"
              onChange={(e) => {
                const value = e.target.value;
                setForm((f) => ({ ...f, helmValuesFiles: value }));
              }}
              className={`${input} font-mono text-xs`}
            />
          </label>
        )}
      </div>
      <SyncPolicyFlags value={form} onChange={(v) => setForm((f) => ({ ...f, ...v }))} compact />
      <ErrorBox error={create.error} />
      <Button type="submit" disabled={create.isPending}>
        Add environment
      </Button>
    </form>
  );
}

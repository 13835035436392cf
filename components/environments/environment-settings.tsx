"use client";
// An environment's settings: where its manifests come from (repository, branch, folder, renderer,
// Helm release and values files), its sync policy, ignore rules and promotion verification; the
// destination (cluster, namespace) is fixed. Deleting it lives at the bottom.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox } from "../ui";
import type { EnvironmentView } from "./types";
import { SyncPolicyFlags } from "./sync-policy-flags";
import { parseValuesFiles } from "./values-files";
import { DeleteEnvironmentPanel } from "./delete-environment-panel";
import { VerificationSettings, verificationBody, verificationOf } from "./verification-settings";

const OTHER_FLAGS = [
  ["detectOnly", "Detect only: report drift, never sync"],
  ["allowEmpty", "Allow empty renders to prune everything"],
  ["adoptExisting", "Adopt existing objects: take over objects that exist without a Tideline label (never another environment's)"],
] as const;

const initialOf = (e: EnvironmentView) => ({
  name: e.name,
  repositoryId: e.repositoryId,
  branch: e.branch,
  path: e.path,
  renderer: e.renderer,
  helmReleaseName: e.helmReleaseName ?? "",
  helmValuesFiles: e.helmValuesFiles.join("\n"),
  autoSync: e.autoSync,
  prune: e.prune,
  selfHeal: e.selfHeal && e.autoSync,
  detectOnly: e.detectOnly,
  allowEmpty: e.allowEmpty,
  adoptExisting: e.adoptExisting,
  promotionVerification: e.promotionVerification ?? "landed",
  position: e.position,
  verification: verificationOf(e),
});

export function EnvironmentSettings({ environment, canConfigure }: { environment: EnvironmentView; canConfigure: boolean }) {
  const client = useQueryClient();
  const repos = useQuery({
    queryKey: ["repositories"],
    queryFn: () => api<{ items: Array<{ id: string; name: string }> }>("/api/repositories"),
    enabled: canConfigure,
  });
  const [v, setV] = useState(() => initialOf(environment));
  const [rules, setRules] = useState(JSON.stringify(environment.ignoreRules, null, 2));
  const save = useMutation({
    mutationFn: () => {
      let ignoreRules;
      try {
        ignoreRules = JSON.parse(rules);
      } catch {
        throw new Error('Ignore rules must be a JSON list, e.g. [{"kind": "Deployment", "jsonPointers": ["/spec/replicas"]}]');
      }
      const { helmReleaseName, helmValuesFiles, verification, ...rest } = v;
      return api(`/api/environments/${environment.id}`, {
        method: "PATCH",
        body: {
          ...rest,
          ...verificationBody(verification),
          helmReleaseName: helmReleaseName.trim() || null,
          helmValuesFiles: parseValuesFiles(helmValuesFiles),
          ignoreRules,
        },
      });
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: ["environment", environment.id] }),
  });
  const input = "mt-1 w-full rounded border border-slate-300 px-2 py-1.5";
  const text = (key: "name" | "branch" | "path" | "helmReleaseName", label: string, placeholder = "") => (
    <label className="block">
      <span className="text-slate-600">{label}</span>
      <input
        name={key}
        value={v[key]}
        placeholder={placeholder}
        disabled={!canConfigure}
        onChange={(e) => setV({ ...v, [key]: e.target.value })}
        className={input}
      />
    </label>
  );
  return (
    <div className="space-y-4">
      <form
        className="space-y-4 rounded border border-slate-200 bg-white p-4 text-sm"
        data-testid="environment-settings"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <section className="space-y-2">
          <h3 className="font-medium">Source</h3>
          <div className="grid grid-cols-1 gap-3 md:grid-cols-3">
            {text("name", "Name")}
            <label className="block">
              <span className="text-slate-600">Repository</span>
              <select
                name="repositoryId"
                value={v.repositoryId}
                disabled={!canConfigure}
                onChange={(e) => setV({ ...v, repositoryId: e.target.value })}
                className={input}
              >
                {(repos.data?.items ?? [{ id: environment.repositoryId, name: environment.repositoryName ?? environment.repositoryId }]).map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </select>
            </label>
            {text("branch", "Branch")}
            {text("path", "Path")}
            <label className="block">
              <span className="text-slate-600">Renderer</span>
              <select name="renderer" value={v.renderer} disabled={!canConfigure} onChange={(e) => setV({ ...v, renderer: e.target.value })} className={input}>
                <option value="auto">detect from folder</option>
                <option value="kustomize">Kustomize</option>
                <option value="helm">Helm</option>
                <option value="plain">plain YAML</option>
              </select>
            </label>
            {text("helmReleaseName", "Helm release name", "the folder's name")}
            <label className="block">
              <span className="text-slate-600">Position in the pipeline (0 = first)</span>
              <input
                name="position"
                type="number"
                min={0}
                value={v.position}
                disabled={!canConfigure}
                onChange={(e) => setV({ ...v, position: Number(e.target.value) })}
                className={input}
              />
            </label>
            <label className="block md:col-span-3">
              <span className="text-slate-600">Helm values files (relative to the folder, one per line, applied in order)</span>
              <textarea
                name="helmValuesFiles"
                rows={2}
                value={v.helmValuesFiles}
                disabled={!canConfigure}
                placeholder="values-production.yaml"
                onChange={(e) => setV({ ...v, helmValuesFiles: e.target.value })}
                className={`${input} font-mono text-xs`}
              />
            </label>
          </div>
          <p className="text-xs text-slate-500" data-testid="destination-fixed">
            Deploys to {environment.clusterName}/{environment.namespace}. The destination is fixed: to move it, delete the environment (keeping or pruning its
            objects) and add it again.
          </p>
        </section>
        <section className="space-y-2">
          <h3 className="font-medium">Sync policy</h3>
          <SyncPolicyFlags value={v} disabled={!canConfigure} onChange={(p) => setV({ ...v, ...p })} />
          {OTHER_FLAGS.map(([key, label]) => (
            <label key={key} className="flex items-center gap-2">
              <input type="checkbox" name={key} disabled={!canConfigure} checked={v[key]} onChange={(e) => setV({ ...v, [key]: e.target.checked })} /> {label}
            </label>
          ))}
          <label className="block">
            <span className="text-slate-600">Ignore rules (JSON pointers per kind/name, e.g. replicas managed by an HPA)</span>
            <textarea
              name="ignoreRules"
              value={rules}
              disabled={!canConfigure}
              onChange={(e) => setRules(e.target.value)}
              rows={5}
              className={`${input} font-mono text-xs`}
            />
          </label>
        </section>
        <section className="space-y-2">
          <h3 className="font-medium">Promotions into this environment</h3>
          <label className="block">
            <span className="text-slate-600">When a promotion&apos;s sync lands but this environment does not become healthy</span>
            <select
              name="promotionVerification"
              value={v.promotionVerification}
              disabled={!canConfigure}
              onChange={(e) => setV({ ...v, promotionVerification: e.target.value })}
              className={input}
            >
              <option value="landed">the promotion ends &quot;landed, target Degraded&quot; (the next one may start)</option>
              <option value="healthy">the promotion fails (it must end healthy)</option>
            </select>
          </label>
        </section>
        <VerificationSettings value={v.verification} disabled={!canConfigure} onChange={(verification) => setV({ ...v, verification })} />
        <ErrorBox error={save.error} />
        {canConfigure && (
          <Button type="submit" data-testid="environment-settings-save" disabled={save.isPending}>
            Save settings
          </Button>
        )}
        {save.isSuccess && (
          <span className="ml-2 text-emerald-700" data-testid="environment-settings-saved">
            Saved.
          </span>
        )}
      </form>
      {canConfigure && <DeleteEnvironmentPanel environment={environment} />}
    </div>
  );
}

"use client";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox } from "../ui";

interface Option {
  id: string;
  name: string;
  defaultBranch?: string | null;
}
interface Proposal {
  application: string;
  reason: string;
  environments: Array<{ name: string; path: string; renderer: "kustomize" | "helm" | "plain"; namespace: string; helmValuesFiles: string[]; objects?: number }>;
}
interface Rejected {
  application: string;
  environment: string;
  path: string;
  error: string;
}

/** "Discover": proposes applications from a repository's layout; one click creates one. */
export function DiscoverPanel() {
  const client = useQueryClient();
  const repos = useQuery({ queryKey: ["repositories"], queryFn: () => api<{ items: Option[] }>("/api/repositories") });
  const clusters = useQuery({ queryKey: ["clusters"], queryFn: () => api<{ items: Option[] }>("/api/clusters") });
  const [repoId, setRepoId] = useState("");
  const [clusterId, setClusterId] = useState("");
  const repo = repos.data?.items.find((r) => r.id === (repoId || repos.data?.items[0]?.id));
  const discover = useMutation({ mutationFn: () => api<{ proposals: Proposal[]; rejected: Rejected[] }>(`/api/repositories/${repo!.id}/discover`) });
  const create = useMutation({
    mutationFn: (p: Proposal) =>
      api("/api/applications/discovered", {
        method: "POST",
        body: { repositoryId: repo!.id, clusterId: clusterId || clusters.data?.items[0]?.id, branch: repo?.defaultBranch ?? "main", ...p },
      }),
    onSuccess: () => void client.invalidateQueries(),
  });
  return (
    <div className="space-y-3 rounded border border-slate-200 bg-white p-4 text-sm" data-testid="discover-panel">
      <div className="flex flex-wrap items-end gap-3">
        <h2 className="font-medium">Discover from a repository</h2>
        <select
          aria-label="Repository to discover"
          value={repoId}
          onChange={(e) => setRepoId(e.target.value)}
          className="rounded border border-slate-300 px-2 py-1.5"
        >
          {(repos.data?.items ?? []).map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </select>
        <select
          aria-label="Cluster for discovered environments"
          value={clusterId}
          onChange={(e) => setClusterId(e.target.value)}
          className="rounded border border-slate-300 px-2 py-1.5"
        >
          {(clusters.data?.items ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
        <Button variant="secondary" onClick={() => discover.mutate()} disabled={!repo || discover.isPending}>
          Discover
        </Button>
      </div>
      <ErrorBox error={discover.error ?? create.error} />
      {discover.data && (
        <ul className="space-y-2">
          {discover.data.proposals.map((p) => (
            <li key={`${p.application}-${p.environments[0]?.path}`} className="flex items-center gap-3" data-testid={`proposal-${p.application}`}>
              <div>
                <span className="font-medium">{p.application}</span> <span className="text-xs text-slate-500">{p.reason}</span>
                <div className="text-slate-600">
                  {p.environments.map((e) => `${e.name} (${e.renderer}: ${e.path}, ${e.objects ?? "?"} object${e.objects === 1 ? "" : "s"})`).join(" → ")}
                </div>
              </div>
              <Button className="ml-auto" onClick={() => create.mutate(p)} disabled={create.isPending}>
                Create
              </Button>
            </li>
          ))}
          {discover.data.proposals.length === 0 && (
            <li className="text-slate-500">
              Found no layout Tideline knows (overlays/, environment folders over a base, Helm values-&lt;env&gt; files, a folder per application) that renders.
            </li>
          )}
          {discover.data.rejected.map((r) => (
            <li key={`${r.application}-${r.path}-${r.environment}`} className="text-xs text-rose-700" data-testid="proposal-rejected">
              Not offered: {r.application}/{r.environment} ({r.path}) does not render: {r.error}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

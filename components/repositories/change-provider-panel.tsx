"use client";
// Admin setting: where this repository's change requests are opened — Tideline itself, or
// GitHub pull requests / GitLab merge requests through their API with the repository's token.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox } from "../ui";
import type { Repository } from "./types";

type WithProvider = Repository & { provider: "git" | "github" | "gitlab"; providerApiUrl: string | null; providerProject: string | null };

export function ChangeProviderPanel({ id }: { id: string }) {
  const repo = useQuery({ queryKey: ["repository", id], queryFn: () => api<{ repository: WithProvider }>(`/api/repositories/${id}`) });
  const r = repo.data?.repository;
  if (!r) return null;
  return <ProviderForm key={r.id} repo={r} />;
}

function ProviderForm({ repo }: { repo: WithProvider }) {
  const client = useQueryClient();
  const [provider, setProvider] = useState(repo.provider ?? "git");
  const [apiUrl, setApiUrl] = useState(repo.providerApiUrl ?? "");
  const [project, setProject] = useState(repo.providerProject ?? "");
  const save = useMutation({
    mutationFn: () =>
      api(`/api/repositories/${repo.id}`, {
        method: "PATCH",
        body: { provider, providerApiUrl: provider === "git" ? null : apiUrl, providerProject: provider === "git" ? null : project },
      }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["repository", repo.id] }),
  });
  return (
    <form
      data-testid="change-provider-form"
      className="flex flex-wrap items-end gap-3 rounded border border-slate-200 bg-white p-3 text-sm"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <label>
        <span className="block text-slate-600">Change requests open in</span>
        <select
          data-testid="change-provider"
          value={provider}
          onChange={(e) => setProvider(e.target.value as WithProvider["provider"])}
          className="mt-1 rounded border border-slate-300 px-2 py-1.5"
        >
          <option value="git">Tideline (branches on this remote)</option>
          <option value="github">GitHub pull requests</option>
          <option value="gitlab">GitLab merge requests</option>
        </select>
      </label>
      {provider !== "git" && (
        <>
          <label>
            <span className="block text-slate-600">API URL (optional)</span>
            <input
              data-testid="change-provider-api-url"
              value={apiUrl}
              onChange={(e) => setApiUrl(e.target.value)}
              placeholder={provider === "github" ? "https://api.github.com" : "https://gitlab.com/api/v4"}
              className="mt-1 w-72 rounded border border-slate-300 px-2 py-1.5 font-mono text-xs"
            />
          </label>
          <label>
            <span className="block text-slate-600">{provider === "github" ? "OWNER/REPO" : "GROUP/PROJECT"} (optional)</span>
            <input
              data-testid="change-provider-project"
              value={project}
              onChange={(e) => setProject(e.target.value)}
              placeholder="from the remote URL"
              className="mt-1 w-56 rounded border border-slate-300 px-2 py-1.5 font-mono text-xs"
            />
          </label>
        </>
      )}
      <Button type="submit" variant="secondary" data-testid="change-provider-save" disabled={save.isPending}>
        Save
      </Button>
      {save.isSuccess && (
        <span className="text-emerald-700" data-testid="change-provider-saved">
          Saved
        </span>
      )}
      <div className="basis-full empty:hidden">
        <ErrorBox error={save.error} />
        {provider !== "git" && !repo.hasToken && (
          <p className="text-amber-800">This repository has no token; {provider === "github" ? "GitHub" : "GitLab"} needs one with API access.</p>
        )}
      </div>
    </form>
  );
}

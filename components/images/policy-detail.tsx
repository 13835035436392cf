"use client";
// One policy: its settings and health, "check now", editing for admins, and every update it made
// shown as the loop from image detected to commit or change request to synced.
import { useState } from "react";
import { useRouter } from "next/navigation";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox, relativeTime } from "../ui";
import { CheckResult } from "./check-result";
import { PolicyForm } from "./policy-form";
import { UpdateLoop } from "./update-loop";
import { describePolicy, type CheckOutcome, type EnvironmentChoice, type ImagePolicy, type ImageUpdate } from "./types";

export function PolicyDetail({ id, canManage }: { id: string; canManage: boolean }) {
  const client = useQueryClient();
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const policy = useQuery({
    queryKey: ["image-policy", id],
    queryFn: () => api<{ policy: ImagePolicy }>(`/api/images/policies/${id}`),
    refetchInterval: 5_000,
  });
  const updates = useQuery({
    queryKey: ["image-updates", id],
    queryFn: () => api<{ items: ImageUpdate[] }>(`/api/images/updates?policyId=${encodeURIComponent(id)}`),
    refetchInterval: 3_000,
  });
  const choices = useQuery({
    queryKey: ["image-policies"],
    queryFn: () => api<{ items: ImagePolicy[]; environments: EnvironmentChoice[] }>("/api/images/policies"),
    enabled: editing,
  });
  const check = useMutation({
    mutationFn: () => api<{ outcome: CheckOutcome }>(`/api/images/policies/${id}/check`, { method: "POST" }),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: ["image-policy", id] });
      void client.invalidateQueries({ queryKey: ["image-updates", id] });
    },
  });
  const remove = useMutation({ mutationFn: () => api(`/api/images/policies/${id}`, { method: "DELETE" }), onSuccess: () => router.push("/images") });
  const p = policy.data?.policy;
  if (!p) return <ErrorBox error={policy.error} />;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline gap-3">
        <h1 className="text-2xl font-semibold" data-testid="policy-name">
          {p.name}
        </h1>
        <span className="font-mono text-sm text-slate-600">{p.image}</span>
        {canManage && (
          <span className="ml-auto flex gap-2">
            <Button onClick={() => check.mutate()} disabled={check.isPending}>
              {check.isPending ? "Checking…" : "Check now"}
            </Button>
            <Button variant="secondary" onClick={() => setEditing(!editing)}>
              {editing ? "Close editor" : "Edit"}
            </Button>
            <Button
              variant="danger"
              onClick={() => {
                if (confirm(`Delete policy ${p.name}?`)) remove.mutate();
              }}
            >
              Delete
            </Button>
          </span>
        )}
      </div>
      <dl className="grid grid-cols-2 gap-x-6 gap-y-1 rounded border border-slate-200 bg-white p-4 text-sm md:grid-cols-4">
        <dt className="text-slate-500">Tag rule</dt>
        <dd>
          {describePolicy(p.policy)}
          {p.allowDowngrade ? " · downgrades allowed" : ""}
        </dd>
        <dt className="text-slate-500">Writes</dt>
        <dd>{p.writeMode === "commit" ? "commits to the branch" : "opens change requests"}</dd>
        <dt className="text-slate-500">Latest tag</dt>
        <dd className="font-mono" data-testid="latest-tag">
          {p.latestTag ?? "—"}
        </dd>
        <dt className="text-slate-500">Environments</dt>
        <dd>{p.environments.map((e) => `${e.application}/${e.name}`).join(", ")}</dd>
        <dt className="text-slate-500">Last check</dt>
        <dd>
          {relativeTime(p.lastCheckedAt)} (every {p.intervalSeconds}s; next {new Date(p.nextCheckAt).toLocaleTimeString()})
        </dd>
        <dt className="text-slate-500">Registry cost</dt>
        <dd>
          {p.lastRequests} request(s) per check · {p.requestsPerMinute}/min
        </dd>
        <dt className="text-slate-500">Registry login</dt>
        <dd>
          {p.username ? `${p.username}${p.hasPassword ? " (password set)" : ""}` : "anonymous"}
          {p.insecure ? " · plain HTTP" : ""}
        </dd>
      </dl>
      {p.lastError && (
        <p role="alert" className="rounded border border-rose-300 bg-rose-50 px-3 py-2 text-sm text-rose-800" data-testid="policy-error">
          {p.lastError}
        </p>
      )}
      <ErrorBox error={check.error ?? remove.error} />
      {check.data && <CheckResult outcome={check.data.outcome} />}
      {editing && choices.data && <PolicyForm environments={choices.data.environments} existing={p} onDone={() => setEditing(false)} />}
      <h2 className="text-lg font-medium">Updates</h2>
      <ul className="space-y-2" data-testid="update-list">
        {(updates.data?.items ?? []).map((u) => (
          <UpdateLoop key={u.id} update={u} />
        ))}
        {updates.data?.items.length === 0 && (
          <li className="text-sm text-slate-500">No updates yet: the environments already run the newest allowed tag, or no check has run.</li>
        )}
      </ul>
    </div>
  );
}

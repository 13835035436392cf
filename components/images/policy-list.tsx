"use client";
// The Images page: every policy with its newest tag, last check, error and registry cost; admins
// create policies, run a check at once and manage the CI webhook secret.
import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox, relativeTime } from "../ui";
import { CiSecretPanel } from "./ci-secret-panel";
import { PolicyForm } from "./policy-form";
import { CheckResult } from "./check-result";
import { describePolicy, type CheckOutcome, type EnvironmentChoice, type ImagePolicy } from "./types";

export function PolicyList({ canManage }: { canManage: boolean }) {
  const client = useQueryClient();
  const policies = useQuery({
    queryKey: ["image-policies"],
    queryFn: () => api<{ items: ImagePolicy[]; environments: EnvironmentChoice[] }>("/api/images/policies"),
    refetchInterval: 10_000,
  });
  const check = useMutation({
    mutationFn: (id: string) => api<{ outcome: CheckOutcome }>(`/api/images/policies/${id}/check`, { method: "POST" }),
    onSettled: () => void client.invalidateQueries({ queryKey: ["image-policies"] }),
  });
  const items = policies.data?.items ?? [];
  return (
    <div className="space-y-4">
      {canManage && <PolicyForm environments={policies.data?.environments ?? []} />}
      {canManage && <CiSecretPanel />}
      <ErrorBox error={policies.error ?? check.error} />
      {check.data && <CheckResult outcome={check.data.outcome} />}
      <table className="w-full rounded border border-slate-200 bg-white text-sm" data-testid="policy-table">
        <thead className="bg-slate-100 text-left">
          <tr>
            <th className="px-3 py-2">Policy</th>
            <th className="px-3 py-2">Image</th>
            <th className="px-3 py-2">Latest tag</th>
            <th className="px-3 py-2">Environments</th>
            <th className="px-3 py-2">Last check</th>
            <th className="px-3 py-2 text-right">Requests/min</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {items.map((p) => (
            <tr key={p.id} className="border-t border-slate-100 align-top" data-testid={`policy-${p.name}`}>
              <td className="px-3 py-2">
                <Link href={`/images/${p.id}`} className="font-medium text-sky-800 hover:underline">
                  {p.name}
                </Link>
                <div className="text-xs text-slate-500">
                  {describePolicy(p.policy)} · {p.writeMode === "commit" ? "commit" : "change request"}
                </div>
              </td>
              <td className="px-3 py-2 font-mono text-xs">{p.image}</td>
              <td className="px-3 py-2 font-mono text-xs" data-testid="latest-tag">
                {p.latestTag ?? "—"}
              </td>
              <td className="px-3 py-2 text-xs">{p.environments.map((e) => `${e.application}/${e.name}`).join(", ")}</td>
              <td className="px-3 py-2 text-xs">
                {relativeTime(p.lastCheckedAt)} · every {p.intervalSeconds}s
                {p.lastError && (
                  <div className="mt-1 max-w-md break-words text-rose-700" data-testid="policy-error">
                    {p.lastError}
                  </div>
                )}
              </td>
              <td className="px-3 py-2 text-right text-xs">{p.requestsPerMinute}</td>
              <td className="px-3 py-2 text-right">
                {canManage && (
                  <Button variant="secondary" onClick={() => check.mutate(p.id)} disabled={check.isPending}>
                    Check now
                  </Button>
                )}
              </td>
            </tr>
          ))}
          {policies.data && items.length === 0 && (
            <tr>
              <td colSpan={7} className="px-3 py-4 text-slate-500">
                No image policies yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

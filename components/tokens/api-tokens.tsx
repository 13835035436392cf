"use client";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox } from "../ui";

interface Token {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function ApiTokens({ scopes }: { scopes: string[] }) {
  const client = useQueryClient();
  const tokens = useQuery({ queryKey: ["tokens"], queryFn: () => api<{ items: Token[] }>("/api/tokens") });
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [days, setDays] = useState(30);
  const create = useMutation({
    mutationFn: () => api<{ token: string }>("/api/tokens", { method: "POST", body: { name, scopes: [...chosen], expiresInDays: days } }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["tokens"] }),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api(`/api/tokens/${id}`, { method: "DELETE" }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["tokens"] }),
  });
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">API tokens</h1>
      <p className="text-sm text-slate-600">
        For CI and scripts: send <code>Authorization: Bearer &lt;token&gt;</code>. A token can do only what its scopes list, and never more than your role.
      </p>
      <form
        className="space-y-3 rounded border border-slate-200 bg-white p-4 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <div className="flex flex-wrap gap-3">
          <input
            name="token-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="ci-pipeline"
            className="rounded border border-slate-300 px-2 py-1.5"
            required
          />
          <label>
            Expires in{" "}
            <input
              type="number"
              min={1}
              max={365}
              value={days}
              onChange={(e) => setDays(Number(e.target.value))}
              className="w-20 rounded border border-slate-300 px-2 py-1.5"
            />{" "}
            days
          </label>
        </div>
        <div className="flex flex-wrap gap-3">
          {scopes.map((s) => (
            <label key={s} className="flex items-center gap-1 font-mono text-xs">
              <input
                type="checkbox"
                checked={chosen.has(s)}
                onChange={(e) => {
                  const n = new Set(chosen);
                  if (e.target.checked) n.add(s);
                  else n.delete(s);
                  setChosen(n);
                }}
              />{" "}
              {s}
            </label>
          ))}
        </div>
        <ErrorBox error={create.error ?? revoke.error} />
        <Button type="submit" disabled={create.isPending || chosen.size === 0}>
          Create token
        </Button>
        {create.data && (
          <p className="rounded bg-amber-50 p-2 font-mono text-xs" data-testid="new-token">
            Copy it now, it is not shown again: {create.data.token}
          </p>
        )}
      </form>
      <table className="w-full rounded border border-slate-200 bg-white text-sm">
        <thead className="bg-slate-100 text-left">
          <tr>
            <th className="px-3 py-2">Name</th>
            <th className="px-3 py-2">Token</th>
            <th className="px-3 py-2">Scopes</th>
            <th className="px-3 py-2">Expires</th>
            <th className="px-3 py-2">Last used</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(tokens.data?.items ?? []).map((t) => (
            <tr key={t.id} className="border-t border-slate-100">
              <td className="px-3 py-2">{t.name}</td>
              <td className="px-3 py-2 font-mono text-xs">{t.prefix}…</td>
              <td className="px-3 py-2 font-mono text-xs">{t.scopes.join(", ")}</td>
              <td className="px-3 py-2">{new Date(t.expiresAt).toLocaleDateString()}</td>
              <td className="px-3 py-2">{t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : "never"}</td>
              <td className="px-3 py-2">
                {t.revokedAt ? (
                  <span className="text-slate-500">revoked</span>
                ) : (
                  <Button variant="danger" onClick={() => revoke.mutate(t.id)}>
                    Revoke
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

"use client";
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox } from "../ui";

interface ContextSummary {
  name: string;
  server: string | null;
  namespace: string | null;
  current: boolean;
}

export function RegisterClusterForm() {
  const client = useQueryClient();
  const [kubeconfig, setKubeconfig] = useState("");
  const [name, setName] = useState("");
  const [context, setContext] = useState("");
  const [namespace, setNamespace] = useState("");
  const contexts = useMutation({
    mutationFn: () => api<{ items: ContextSummary[] }>("/api/clusters/contexts", { method: "POST", body: { kubeconfig } }),
    onSuccess: (d) => setContext(d.items.find((c) => c.current)?.name ?? d.items[0]?.name ?? ""),
  });
  const register = useMutation({
    mutationFn: () => api("/api/clusters", { method: "POST", body: { source: "kubeconfig", name, kubeconfig, context, namespace: namespace || undefined } }),
    onSuccess: () => {
      setKubeconfig("");
      setName("");
      contexts.reset();
      void client.invalidateQueries({ queryKey: ["clusters"] });
    },
  });
  return (
    <form
      data-testid="register-cluster-form"
      className="space-y-3 rounded border border-slate-200 bg-white p-4 text-sm"
      onSubmit={(e) => {
        e.preventDefault();
        register.mutate();
      }}
    >
      <h2 className="font-medium">Register a cluster</h2>
      <label className="block">
        <span className="text-slate-600">Kubeconfig (paste, or choose a file)</span>
        <textarea
          name="kubeconfig"
          value={kubeconfig}
          onChange={(e) => setKubeconfig(e.target.value)}
          rows={6}
          className="mt-1 w-full rounded border border-slate-300 px-2 py-1.5 font-mono text-xs"
          spellCheck={false}
        />
      </label>
      <input
        type="file"
        aria-label="Kubeconfig file"
        onChange={async (e) => {
          const f = e.target.files?.[0];
          if (f) setKubeconfig(await f.text());
        }}
      />
      <div className="flex flex-wrap items-end gap-3">
        <Button type="button" variant="secondary" onClick={() => contexts.mutate()} disabled={!kubeconfig || contexts.isPending}>
          Read contexts
        </Button>
        {contexts.data && (
          <label>
            <span className="block text-slate-600">Context</span>
            <select name="context" value={context} onChange={(e) => setContext(e.target.value)} className="mt-1 rounded border border-slate-300 px-2 py-1.5">
              {contexts.data.items.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name} ({c.server})
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          <span className="block text-slate-600">Name</span>
          <input
            name="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="prod-eu"
            className="mt-1 rounded border border-slate-300 px-2 py-1.5"
            required
          />
        </label>
        <label>
          <span className="block text-slate-600">Namespace to check (optional)</span>
          <input
            name="namespace"
            value={namespace}
            onChange={(e) => setNamespace(e.target.value)}
            placeholder="default"
            className="mt-1 rounded border border-slate-300 px-2 py-1.5"
          />
        </label>
        <Button type="submit" disabled={!context || !name || register.isPending}>
          {register.isPending ? "Connecting…" : "Register"}
        </Button>
      </div>
      <ErrorBox error={contexts.error ?? register.error} />
    </form>
  );
}

"use client";
// The repository page's "Webhook" panel: status for everyone; admins enable, rotate or disable the
// Git push webhook and see the new secret exactly once, with the payload URL and set-up steps.
import Link from "next/link";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox } from "../ui";
import type { Repository } from "./types";

type Provider = "github" | "gitlab" | "gitea" | "generic";
interface Enabled {
  secret: string;
  url: string;
  urlMatchingUrl: string;
  rotated: boolean;
  instructions: Record<Provider, string[]>;
}
const PROVIDERS: Array<[Provider, string]> = [
  ["github", "GitHub"],
  ["gitlab", "GitLab"],
  ["gitea", "Gitea / Forgejo"],
  ["generic", "Generic HMAC"],
];

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      type="button"
      variant="secondary"
      aria-label={label}
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(
          () => setCopied(true),
          () => setCopied(false),
        );
      }}
    >
      {copied ? "Copied" : "Copy"}
    </Button>
  );
}

export function WebhookPanel({ id, canManage, canReadDeliveries }: { id: string; canManage: boolean; canReadDeliveries: boolean }) {
  const client = useQueryClient();
  const repo = useQuery({ queryKey: ["repository", id], queryFn: () => api<{ repository: Repository }>(`/api/repositories/${id}`) });
  const [revealed, setRevealed] = useState<Enabled | null>(null);
  const [confirm, setConfirm] = useState<"rotate" | "disable" | null>(null);
  const [provider, setProvider] = useState<Provider>("github");
  const refresh = () => void client.invalidateQueries({ queryKey: ["repository", id] });
  const enable = useMutation({
    mutationFn: () => api<Enabled>(`/api/repositories/${id}/webhook-secret`, { method: "POST" }),
    onSuccess: (data) => {
      setRevealed(data);
      setConfirm(null);
    },
    onSettled: refresh,
  });
  const disable = useMutation({
    mutationFn: () => api<{ webhookConfigured: boolean }>(`/api/repositories/${id}/webhook-secret`, { method: "DELETE" }),
    onSuccess: () => {
      setRevealed(null);
      setConfirm(null);
    },
    onSettled: refresh,
  });

  const r = repo.data?.repository;
  if (!r) return null;
  const configured = r.webhookConfigured === true;
  const origin = typeof window === "undefined" ? "" : window.location.origin;
  const payloadUrl = revealed?.url ?? `${origin}/api/webhooks/git/${id}`;
  const busy = enable.isPending || disable.isPending;

  return (
    <section className="space-y-3 rounded border border-slate-200 bg-white p-3 text-sm" data-testid="webhook-panel" aria-label="Webhook">
      <div className="flex flex-wrap items-center gap-3">
        <h2 className="font-semibold">Webhook</h2>
        <span
          data-testid="webhook-status"
          className={`rounded px-2 py-0.5 text-xs font-medium ${configured ? "bg-emerald-100 text-emerald-800" : "bg-slate-100 text-slate-700"}`}
        >
          {configured ? "enabled" : "not enabled"}
        </span>
        <span className="text-slate-600">
          {configured
            ? "Pushes reported by your Git host trigger an immediate fetch and reconcile."
            : "Tideline fetches this repository on its timer and on “Fetch now” only."}
        </span>
        <div className="ml-auto flex gap-2">
          {canReadDeliveries && (
            <Link href={`/webhooks?repositoryId=${encodeURIComponent(id)}`} className="rounded border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-100">
              Deliveries
            </Link>
          )}
          {canManage && !configured && (
            <Button onClick={() => enable.mutate()} disabled={busy}>
              {enable.isPending ? "Enabling…" : "Enable webhook"}
            </Button>
          )}
          {canManage && configured && confirm === null && (
            <>
              <Button variant="secondary" onClick={() => setConfirm("rotate")} disabled={busy}>
                Rotate secret
              </Button>
              <Button variant="danger" onClick={() => setConfirm("disable")} disabled={busy}>
                Disable
              </Button>
            </>
          )}
        </div>
      </div>
      {configured && (
        <p className="text-slate-600">
          Payload URL:{" "}
          <code className="font-mono text-xs" data-testid="webhook-url">
            {payloadUrl}
          </code>
        </p>
      )}
      {confirm && (
        <div className="flex flex-wrap items-center gap-2 rounded border border-amber-300 bg-amber-50 px-3 py-2" data-testid="webhook-confirm">
          <span className="text-amber-900">
            {confirm === "rotate"
              ? "A new secret replaces the current one at once; deliveries signed with the old secret will be rejected until you update your Git host."
              : "Deliveries will be rejected until the webhook is enabled again."}
          </span>
          <Button
            variant={confirm === "rotate" ? "primary" : "danger"}
            onClick={() => (confirm === "rotate" ? enable.mutate() : disable.mutate())}
            disabled={busy}
          >
            {confirm === "rotate" ? "Rotate now" : "Disable webhook"}
          </Button>
          <Button variant="secondary" onClick={() => setConfirm(null)} disabled={busy}>
            Cancel
          </Button>
        </div>
      )}
      <ErrorBox error={enable.error ?? disable.error} />
      {revealed && (
        <div className="space-y-3 rounded border border-sky-200 bg-sky-50 p-3" data-testid="webhook-reveal">
          <p className="font-medium text-sky-900">
            {revealed.rotated ? "New secret" : "Webhook enabled"}: copy the secret now. It is shown only once and cannot be read back later.
          </p>
          <div className="flex flex-wrap items-center gap-2">
            <span className="text-slate-600">Secret</span>
            <code className="rounded border border-slate-300 bg-white px-2 py-1 font-mono text-xs" data-testid="webhook-secret">
              {revealed.secret}
            </code>
            <CopyButton text={revealed.secret} label="Copy secret" />
          </div>
          <div className="flex flex-wrap items-center gap-2">
            <span className="text-slate-600">Payload URL</span>
            <code className="rounded border border-slate-300 bg-white px-2 py-1 font-mono text-xs" data-testid="webhook-payload-url">
              {revealed.url}
            </code>
            <CopyButton text={revealed.url} label="Copy payload URL" />
          </div>
          <div>
            <div className="flex flex-wrap gap-1" role="tablist">
              {PROVIDERS.map(([key, label]) => (
                <button
                  type="button"
                  key={key}
                  role="tab"
                  aria-selected={provider === key}
                  onClick={() => setProvider(key)}
                  className={`rounded-t border border-b-0 px-3 py-1 ${provider === key ? "border-slate-300 bg-white font-medium" : "border-transparent text-slate-600 hover:text-sky-700"}`}
                >
                  {label}
                </button>
              ))}
            </div>
            <ol className="list-decimal space-y-1 rounded-b border border-slate-300 bg-white py-2 pl-8 pr-3" data-testid="webhook-instructions">
              {revealed.instructions[provider].map((step) => (
                <li key={step} className="break-all">
                  {step}
                </li>
              ))}
            </ol>
            <p className="mt-2 text-xs text-slate-600">
              For an organization-wide hook, send deliveries to {revealed.urlMatchingUrl}: Tideline finds the repository by the payload&apos;s URLs and checks
              the signature with its secret.
            </p>
          </div>
          <Button variant="secondary" onClick={() => setRevealed(null)}>
            I have copied it
          </Button>
        </div>
      )}
    </section>
  );
}

"use client";
// The CI webhook: where to send image pushes, how to sign them, and the secret (generated, shown once).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox } from "../ui";

export function CiSecretPanel() {
  const client = useQueryClient();
  const status = useQuery({ queryKey: ["image-ci-secret"], queryFn: () => api<{ configured: boolean; createdAt: string | null }>("/api/images/ci-secret") });
  const rotate = useMutation({
    mutationFn: () => api<{ secret: string; createdAt: string }>("/api/images/ci-secret", { method: "POST" }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["image-ci-secret"] }),
  });
  const origin = typeof window === "undefined" ? "" : window.location.origin;
  return (
    <details className="rounded border border-slate-200 bg-white p-4 text-sm" data-testid="ci-webhook-panel">
      <summary className="cursor-pointer font-medium">CI and registry webhook</summary>
      <div className="mt-2 space-y-2 text-slate-700">
        <p>
          POST <code className="font-mono text-xs">{origin}/api/webhooks/images</code> with{" "}
          <code className="font-mono text-xs">{`{"image": "registry/team/app:1.2.3"}`}</code> (or a registry&apos;s notification envelope). Authenticate with{" "}
          <code>Authorization: Bearer &lt;API token with image.manage&gt;</code>, or sign it: <code>X-Tideline-Timestamp: &lt;unix seconds&gt;</code> and{" "}
          <code>X-Tideline-Signature: sha256=HMAC-SHA256(secret, &quot;&lt;timestamp&gt;.&lt;body&gt;&quot;)</code>. Registries can send the token in their
          notification <code>headers:</code>.
        </p>
        <p>Signing secret: {status.data?.configured ? `set ${status.data.createdAt ? new Date(status.data.createdAt).toLocaleString() : ""}` : "not set"}</p>
        <Button variant="secondary" onClick={() => rotate.mutate()} disabled={rotate.isPending}>
          {status.data?.configured ? "Rotate secret" : "Generate secret"}
        </Button>
        {rotate.data && (
          <p className="rounded bg-amber-50 p-2 font-mono text-xs" data-testid="ci-secret">
            Copy it now, it is not shown again: {rotate.data.secret}
          </p>
        )}
        <ErrorBox error={status.error ?? rotate.error} />
      </div>
    </details>
  );
}

"use client";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox, relativeTime, shortSha } from "../ui";
import { HealthBadge, SyncBadge } from "./badges";
import { ResourceTable } from "./resource-table";
import { SyncPanel } from "./sync-panel";
import { PendingChanges } from "./pending-changes";
import { SyncHistory } from "./sync-history";
import { EnvironmentSettings } from "./environment-settings";
import type { EnvironmentView, ResourceView } from "./types";
import { ResourceTreePanel } from "../tree/resource-tree-panel";
import { LiveBadge } from "../live/live-badge";
import { useEnvironmentStream } from "../live/use-environment-stream";
import { useEnvironmentDetail } from "../live/use-environment-detail";
import { RunningSync, type RunningSyncView } from "./running-sync";
import { VerificationStatus, type VerificationView } from "./verification-status";

const TABS = ["objects", "tree", "changes", "history", "settings"] as const;
type Tab = (typeof TABS)[number];

/** The open tab, kept in the URL (?tab=tree) so a reload, a shared link or Back opens the same view. */
function useTab(): [Tab, (t: Tab) => void] {
  const asked = useSearchParams().get("tab");
  const tab = TABS.find((t) => t === asked) ?? "objects";
  const setTab = (t: Tab) => {
    const url = new URL(window.location.href);
    if (t === "objects") url.searchParams.delete("tab");
    else url.searchParams.set("tab", t);
    // Next keeps useSearchParams in step with the History API, without a server round trip.
    window.history.replaceState(null, "", url);
  };
  return [tab, setTab];
}

export function EnvironmentPage({ id, canSync, canConfigure }: { id: string; canSync: boolean; canConfigure: boolean }) {
  const client = useQueryClient();
  useEnvironmentStream(id);
  const detail = useEnvironmentDetail<{
    environment: EnvironmentView;
    resources: ResourceView[];
    runningSync?: RunningSyncView | null;
    verification?: VerificationView | null;
  }>(id);
  const [tab, setTab] = useTab();
  const refresh = useMutation({
    mutationFn: () => api(`/api/environments/${id}/reconcile`, { method: "POST" }),
    onSettled: () => void client.invalidateQueries({ queryKey: ["environment", id] }),
  });
  if (detail.error) return <ErrorBox error={detail.error} />;
  // The tree, changes and history need only the id: they open before the detail has loaded (the tree's data comes with the stream).
  const idOnlyTab =
    tab === "tree" ? (
      <ResourceTreePanel environmentId={id} />
    ) : tab === "changes" ? (
      <PendingChanges environmentId={id} />
    ) : tab === "history" ? (
      <SyncHistory environmentId={id} />
    ) : null;
  if (!detail.data) {
    return (
      <div className="space-y-4">
        <p className="text-slate-500">Loading…</p>
        {idOnlyTab}
      </div>
    );
  }
  const { environment: e, resources, runningSync, verification } = detail.data;
  return (
    <div className="space-y-4">
      <Link href={`/applications/${e.applicationId}`} className="text-sm text-sky-700 hover:underline">
        ← {e.applicationName}
      </Link>
      <div className="flex flex-wrap items-start gap-4 rounded border border-slate-200 bg-white p-4">
        <div className="space-y-1">
          <h1 className="text-2xl font-semibold" data-testid="environment-name">
            {e.applicationName} / {e.name}
          </h1>
          <div className="flex gap-2">
            <SyncBadge status={e.syncStatus} />
            <HealthBadge status={e.health} />
          </div>
          <p className="text-sm text-slate-600">
            Git wants{" "}
            <span className="font-mono" data-testid="desired-revision">
              {e.desiredRevision ? shortSha(e.desiredRevision) : "—"}
            </span>{" "}
            · last synced{" "}
            <span className="font-mono" data-testid="synced-revision">
              {e.syncedRevision ? shortSha(e.syncedRevision) : "never"}
            </span>{" "}
            · {e.repositoryName}:{e.branch}/{e.path} ({e.renderer}) → {e.clusterName}/{e.namespace} · checked {relativeTime(e.lastReconciledAt)}
          </p>
          <p className="text-xs text-slate-500">
            {e.autoSync ? "auto-sync" : "manual sync"}
            {e.prune ? " · prune" : ""}
            {e.selfHeal ? " · self-heal" : ""}
            {e.detectOnly ? " · detect only" : ""}
          </p>
          {e.renderError && (
            <p className="text-sm text-rose-700" data-testid="render-error">
              Render failed: {e.renderError}
            </p>
          )}
          {e.lastError && <p className="text-sm text-rose-700">{e.lastError}</p>}
        </div>
        <div className="ml-auto flex gap-2">
          <Button variant="secondary" onClick={() => refresh.mutate()} disabled={refresh.isPending}>
            {refresh.isPending ? "Refreshing…" : "Refresh"}
          </Button>
        </div>
      </div>
      <ErrorBox error={refresh.error} />
      {runningSync && <RunningSync run={runningSync} />}
      <VerificationStatus verification={verification} />
      {canSync && !e.detectOnly && <SyncPanel environmentId={id} />}
      <nav className="flex gap-4 border-b border-slate-200 text-sm">
        {TABS.map((t) => (
          <button
            type="button"
            key={t}
            onClick={() => setTab(t)}
            className={`-mb-px border-b-2 px-1 py-2 ${tab === t ? "border-sky-600 text-sky-800" : "border-transparent text-slate-600"}`}
          >
            {
              {
                objects: `Objects (${resources.length})`,
                tree: "Resource tree",
                changes: "Pending Git changes",
                history: "Sync history",
                settings: "Settings",
              }[t]
            }
          </button>
        ))}
        <LiveBadge environmentId={id} />
      </nav>
      {idOnlyTab}
      {tab === "objects" && <ResourceTable environmentId={id} resources={resources} />}
      {tab === "settings" && <EnvironmentSettings environment={e} canConfigure={canConfigure} />}
    </div>
  );
}

"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { Fragment, type ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { useUserLiveInterval } from "../live/user-live-status";
import { api } from "../api";
import { ErrorBox, shortSha } from "../ui";
import { HealthBadge, SyncBadge } from "./badges";
import { CreateEnvironmentForm } from "./create-environment-form";
import { MembersPanel } from "./members-panel";
import { DeleteWithObjects } from "./delete-with-objects";
import type { EnvironmentView } from "./types";

export function ApplicationView({
  id,
  canManage,
  canManageMembers,
  canDelete = false,
  pipeline,
}: {
  id: string;
  canManage: boolean;
  canManageMembers: boolean;
  canDelete?: boolean;
  pipeline?: ReactNode;
}) {
  const router = useRouter();
  // Polls only while the live hint stream is down (components/live/use-live-hints.ts).
  const liveInterval = useUserLiveInterval(5_000);
  const app = useQuery({
    queryKey: ["application", id],
    queryFn: () =>
      api<{ application: { id: string; name: string; description: string | null; project: { id: string; name: string } }; environments: EnvironmentView[] }>(
        `/api/applications/${id}`,
      ),
    refetchInterval: liveInterval,
  });
  if (app.error) return <ErrorBox error={app.error} />;
  if (!app.data) return <p className="text-slate-500">Loading…</p>;
  const envs = app.data.environments;
  return (
    <div className="space-y-6">
      <div className="flex items-baseline gap-3">
        <h1 className="text-2xl font-semibold" data-testid="application-name">
          {app.data.application.name}
        </h1>
        <span className="rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-700" data-testid="application-project">
          project {app.data.application.project.name}
        </span>
      </div>
      {pipeline}
      <h2 className="text-sm font-semibold uppercase tracking-wide text-slate-500">Environments</h2>
      <div className="flex flex-wrap items-stretch gap-2" data-testid="pipeline">
        {envs.map((e, i) => (
          <Fragment key={e.id}>
            {i > 0 && (
              <div className="flex items-center px-1 text-2xl text-slate-400" aria-hidden>
                →
              </div>
            )}
            <Link
              href={`/environments/${e.id}`}
              className="w-64 rounded border border-slate-200 bg-white p-4 hover:border-sky-400"
              data-testid={`env-card-${e.name}`}
            >
              <div className="flex items-center gap-2">
                <span className="text-lg font-medium">{e.name}</span>
                <span className="ml-auto text-xs text-slate-500">
                  {e.clusterName}/{e.namespace}
                </span>
              </div>
              <div className="mt-2 flex gap-2">
                <SyncBadge status={e.syncStatus} />
                <HealthBadge status={e.health} />
              </div>
              <p className="mt-2 font-mono text-xs text-slate-600">
                {e.path || "/"} @ {e.branch}
              </p>
              <p className="font-mono text-xs text-slate-600">
                synced {e.syncedRevision ? shortSha(e.syncedRevision) : "never"}
                {e.desiredRevision && e.desiredRevision !== e.syncedRevision ? ` · Git ${shortSha(e.desiredRevision)}` : ""}
              </p>
              {e.renderError && <p className="mt-1 text-xs text-rose-700">{e.renderError}</p>}
            </Link>
          </Fragment>
        ))}
        {envs.length === 0 && <p className="text-slate-500">No environments yet.</p>}
      </div>
      {canManage && <CreateEnvironmentForm applicationId={id} />}
      <MembersPanel applicationId={id} canManage={canManageMembers} />
      {canDelete && (
        <DeleteWithObjects
          what={`application ${app.data.application.name}`}
          testId="delete-application"
          previewUrl={`/api/applications/${id}/deletion`}
          deleteUrl={`/api/applications/${id}`}
          onDeleted={() => router.push("/applications")}
        />
      )}
    </div>
  );
}

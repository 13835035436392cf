"use client";
// "Review changes": the whole edit as Monaco diffs per file, what it does to each environment on
// the branch (from POST /api/changes/preview: nothing is pushed), and the proposal form.
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Button, ErrorBox, shortSha } from "../ui";
import { DiffView } from "../code/diff-view";
import { FileChangeMark } from "../changes/badges";
import { ImpactView } from "../changes/impact-view";
import { apiDetailed, DetailedApiError } from "../changes/api-detailed";
import type { EnvironmentImpact } from "../changes/types";
import { draftChange, proposalFiles, type EditState } from "./edit-session";
import { ProposeForm, type Proposed } from "./propose-form";

interface Preview {
  baseSha: string;
  headSha: string;
  files: Array<{ path: string; change: string }>;
  impact: EnvironmentImpact[];
}

export function ReviewPanel({
  repositoryId,
  branch,
  state,
  onRebase,
  onProposed,
}: {
  repositoryId: string;
  branch: string;
  state: EditState;
  onRebase: () => Promise<void>;
  onProposed: (p: Proposed) => void;
}) {
  const drafts = Object.values(state.drafts).sort((a, b) => a.path.localeCompare(b.path));
  const [selected, setSelected] = useState<string | null>(drafts[0]?.path ?? null);
  const [conflict, setConflict] = useState<{ files: string[]; message: string } | null>(null);
  const preview = useQuery({
    queryKey: ["edit-preview", state.key, state.baseSha, state.revision],
    queryFn: () =>
      apiDetailed<Preview>("/api/changes/preview", {
        method: "POST",
        body: { repositoryId, baseBranch: branch, baseSha: state.baseSha, files: proposalFiles(state.drafts) },
      }),
    retry: false,
    staleTime: Infinity,
    enabled: drafts.length > 0,
  });
  const previewConflict =
    preview.error instanceof DetailedApiError && preview.error.details.conflicts?.length
      ? { files: preview.error.details.conflicts, message: preview.error.message }
      : null;
  const shownConflict = conflict ?? previewConflict;
  const current = drafts.find((d) => d.path === selected) ?? drafts[0];
  const renderErrors = (preview.data?.impact ?? []).filter((i) => i.status === "error").map((i) => `${i.application}/${i.environment}`);

  if (drafts.length === 0)
    return (
      <p className="text-sm text-slate-500" data-testid="review-empty">
        No changes yet.
      </p>
    );
  return (
    <div className="space-y-4" data-testid="review-panel">
      {shownConflict && (
        <div className="rounded border border-rose-300 bg-rose-50 p-3 text-sm text-rose-900" data-testid="conflict">
          <p>{shownConflict.message}</p>
          <ul className="my-1 list-disc pl-5 font-mono text-xs" data-testid="conflict-files">
            {shownConflict.files.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
          <p>Your edits are kept. Compare them with the latest {branch} and propose again: moving onto the latest base keeps your version of every file.</p>
          <Button variant="secondary" className="mt-2" data-testid="rebase-session" onClick={() => void onRebase().then(() => setConflict(null))}>
            Use the latest {branch} as base
          </Button>
        </div>
      )}
      <section className="space-y-2">
        <h3 className="font-medium">
          Files ({drafts.length}) <span className="text-xs font-normal text-slate-500">against {shortSha(state.baseSha)}</span>
        </h3>
        <div className="grid grid-cols-1 gap-3 lg:grid-cols-[16rem_1fr]">
          <ul className="rounded border border-slate-200 bg-white text-sm" data-testid="review-files">
            {drafts.map((d) => (
              <li key={d.path}>
                <button
                  type="button"
                  data-testid={`review-file-${d.path}`}
                  onClick={() => setSelected(d.path)}
                  className={`flex w-full items-center gap-1 truncate px-2 py-1 text-left font-mono text-xs ${current?.path === d.path ? "bg-sky-50" : ""}`}
                >
                  <FileChangeMark change={draftChange(d)} /> {d.path}
                </button>
              </li>
            ))}
          </ul>
          {current && <DiffView key={current.path} path={current.path} before={current.original ?? ""} after={current.content ?? ""} height={360} />}
        </div>
      </section>
      <section className="space-y-2">
        <h3 className="font-medium">Impact on environments following {branch}</h3>
        {preview.isFetching && (
          <p className="text-sm text-slate-500" data-testid="impact-loading">
            Rendering every environment on {branch} with your edit…
          </p>
        )}
        {preview.error && !previewConflict && <ErrorBox error={preview.error} />}
        {preview.data && !preview.isFetching && <ImpactView impact={preview.data.impact} />}
      </section>
      <ProposeForm
        repositoryId={repositoryId}
        branch={branch}
        state={state}
        renderErrors={renderErrors}
        previewReady={!preview.isFetching}
        onConflict={(files, message) => setConflict({ files, message })}
        onDone={onProposed}
      />
    </div>
  );
}

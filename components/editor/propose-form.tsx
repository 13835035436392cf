"use client";
// "Propose change": title, description, optional branch name. Errors land next to what they are
// about (a branch that exists, files that changed upstream); the drafts are never dropped on failure.
import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { branchName } from "@/lib/changes/schemas";
import { Button, ErrorBox } from "../ui";
import { apiDetailed, DetailedApiError, errorField } from "../changes/api-detailed";
import { proposalFiles, type EditState } from "./edit-session";

export interface Proposed {
  change: { id: string; number: number };
}

export function ProposeForm({
  repositoryId,
  branch,
  state,
  renderErrors,
  previewReady,
  onConflict,
  onDone,
}: {
  repositoryId: string;
  branch: string;
  state: EditState;
  /** Environments whose render the preview says this edit breaks. */
  renderErrors: string[];
  previewReady: boolean;
  onConflict: (files: string[], message: string) => void;
  onDone: (p: Proposed) => void;
}) {
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const [headBranch, setHeadBranch] = useState("");
  const [anyway, setAnyway] = useState(false);
  const propose = useMutation({
    mutationFn: () => {
      performance.clearMarks("tideline:change:shown");
      performance.mark("tideline:propose:click");
      return apiDetailed<Proposed>("/api/changes", {
        method: "POST",
        body: {
          repositoryId,
          baseBranch: branch,
          baseSha: state.baseSha,
          title,
          body,
          ...(headBranch.trim() ? { headBranch: headBranch.trim() } : {}),
          files: proposalFiles(state.drafts),
        },
      });
    },
    onSuccess: onDone,
    onError: (e) => {
      if (e instanceof DetailedApiError && e.details.conflicts?.length) onConflict(e.details.conflicts, e.message);
    },
  });
  const field = errorField(propose.error);
  const branchProblem =
    headBranch.trim() && !branchName.safeParse(headBranch.trim()).success ? "must be a valid Git branch name (letters, digits, . _ - /)" : null;
  const blocked = renderErrors.length > 0 && !anyway;
  const isConflict = propose.error instanceof DetailedApiError && !!propose.error.details.conflicts?.length;

  return (
    <form
      data-testid="propose-form"
      className="space-y-2 rounded border border-slate-200 bg-white p-3 text-sm"
      onSubmit={(e) => {
        e.preventDefault();
        if (!title.trim() || branchProblem || blocked) return;
        propose.mutate();
      }}
    >
      <h3 className="font-medium">Propose change</h3>
      <label className="block">
        <span className="text-slate-600">Title</span>
        <input
          data-testid="propose-title"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          maxLength={200}
          className="mt-1 w-full rounded border border-slate-300 px-2 py-1.5"
        />
        {field === "title" && <span className="text-xs text-rose-700">{propose.error?.message}</span>}
      </label>
      <label className="block">
        <span className="text-slate-600">Description</span>
        <textarea
          data-testid="propose-body"
          value={body}
          onChange={(e) => setBody(e.target.value)}
          rows={3}
          className="mt-1 w-full rounded border border-slate-300 px-2 py-1.5"
        />
      </label>
      <label className="block">
        <span className="text-slate-600">Branch name (optional; one is made up from the title)</span>
        <input
          data-testid="propose-branch"
          value={headBranch}
          onChange={(e) => setHeadBranch(e.target.value)}
          placeholder={`tideline/you/${
            title
              .toLowerCase()
              .replace(/[^a-z0-9]+/g, "-")
              .slice(0, 30) || "change"
          }`}
          className="mt-1 w-full rounded border border-slate-300 px-2 py-1.5 font-mono text-xs"
        />
        {(branchProblem || field === "headBranch") && (
          <span data-testid="branch-error" className="text-xs text-rose-700">
            {branchProblem ? `Branch name ${branchProblem}` : propose.error?.message}
          </span>
        )}
      </label>
      {renderErrors.length > 0 && (
        <div className="rounded border border-rose-200 bg-rose-50 p-2 text-rose-800" data-testid="render-errors">
          <p>This edit breaks the render of {renderErrors.join(", ")}.</p>
          <label className="mt-1 flex items-center gap-2">
            <input type="checkbox" data-testid="propose-anyway" checked={anyway} onChange={(e) => setAnyway(e.target.checked)} /> Propose anyway
          </label>
        </div>
      )}
      {propose.error && field !== "headBranch" && field !== "title" && !isConflict && <ErrorBox error={propose.error} />}
      <Button type="submit" data-testid="propose-submit" disabled={propose.isPending || !title.trim() || !!branchProblem || blocked || !previewReady}>
        {propose.isPending ? "Proposing…" : `Propose change (${Object.keys(state.drafts).length} file(s))`}
      </Button>
    </form>
  );
}

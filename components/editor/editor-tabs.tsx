"use client";
// Open files as tabs; the active one in Monaco with its actions (rename, delete, revert).
// Binary and oversized files open read-only with a notice.
import { useQuery } from "@tanstack/react-query";
import { Button, ErrorBox } from "../ui";
import { FileNotice } from "../code/file-notice";
import { CodeEditor } from "./code-editor";
import { draftChange, type EditState } from "./edit-session";
import { fileQuery } from "./queries";

export interface FileActions {
  onSelect: (path: string) => void;
  onClose: (path: string) => void;
  onEdit: (path: string, content: string, original: string | null) => void;
  onRename: (path: string) => void;
  onDelete: (path: string) => void;
  onRevert: (path: string) => void;
}

export function EditorTabs({ repositoryId, branch, state, actions }: { repositoryId: string; branch: string; state: EditState; actions: FileActions }) {
  if (state.tabs.length === 0)
    return (
      <p className="rounded border border-dashed border-slate-300 p-8 text-center text-sm text-slate-500" data-testid="editor-empty">
        Open a file from the tree, or add a new one.
      </p>
    );
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap gap-1 border-b border-slate-200" role="tablist" data-testid="editor-tabs">
        {state.tabs.map((t) => {
          const d = state.drafts[t];
          return (
            <div
              key={t}
              data-testid={`editor-tab-${t}`}
              className={`flex items-center gap-1 rounded-t border border-b-0 px-2 py-1 font-mono text-xs ${state.active === t ? "border-slate-300 bg-white" : "border-transparent bg-slate-100 text-slate-600"}`}
            >
              <button type="button" role="tab" aria-selected={state.active === t} onClick={() => actions.onSelect(t)} title={t}>
                {t.split("/").pop()}
                {d ? " ●" : ""}
              </button>
              <button
                type="button"
                aria-label={`Close ${t}`}
                data-testid="editor-tab-close"
                onClick={() => actions.onClose(t)}
                className="text-slate-400 hover:text-slate-700"
              >
                ×
              </button>
            </div>
          );
        })}
      </div>
      {state.active && <ActiveFile repositoryId={repositoryId} branch={branch} state={state} path={state.active} actions={actions} />}
    </div>
  );
}

function ActiveFile({
  repositoryId,
  branch,
  state,
  path,
  actions,
}: {
  repositoryId: string;
  branch: string;
  state: EditState;
  path: string;
  actions: FileActions;
}) {
  const draft = state.drafts[path];
  const isNew = draft?.basePath === null;
  const file = useQuery({ ...fileQuery(repositoryId, state.baseSha, draft?.basePath ?? path), enabled: !isNew });
  const loaded = file.data?.file;
  const original = draft ? draft.original : loaded?.kind === "text" ? loaded.content : null;
  const content = draft?.content ?? original;
  const readOnly = !isNew && loaded !== undefined && loaded.kind !== "text";

  return (
    <div className="space-y-2" data-testid="active-file">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span className="font-mono text-xs" data-testid="active-path">
          {path}
        </span>
        {draft && (
          <span className="text-xs text-amber-700" data-testid="active-change">
            {draftChange(draft)}
            {draft.basePath && draft.basePath !== path ? ` from ${draft.basePath}` : ""}
          </span>
        )}
        <span className="ml-auto flex gap-2">
          {!readOnly && (
            <Button variant="secondary" data-testid="rename-file" onClick={() => actions.onRename(path)}>
              Rename
            </Button>
          )}
          <Button variant="secondary" data-testid="delete-file" onClick={() => actions.onDelete(path)}>
            Delete
          </Button>
          {draft && (
            <Button variant="secondary" data-testid="revert-file" onClick={() => actions.onRevert(path)}>
              Revert
            </Button>
          )}
        </span>
      </div>
      <ErrorBox error={file.error} />
      {readOnly && (
        <div className="rounded border border-amber-200 bg-amber-50 p-3 text-sm" data-testid="read-only-notice">
          <FileNotice file={loaded} />
          <p className="text-amber-900">
            Opened read-only: {loaded.kind === "binary" ? "binary files" : "files over the size limit"} cannot be edited in the browser (you can still delete
            it).
          </p>
        </div>
      )}
      {!readOnly && content !== null && content !== undefined && (
        <CodeEditor
          repositoryId={repositoryId}
          gitRef={branch}
          modelPrefix={`${repositoryId}/${state.baseSha}`}
          path={path}
          value={content}
          onChange={(v) => actions.onEdit(path, v, original)}
        />
      )}
      {!readOnly && content == null && !file.error && <p className="text-sm text-slate-500">Loading {path}…</p>}
    </div>
  );
}

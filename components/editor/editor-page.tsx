"use client";
// Edit manifests in the browser: pick a branch, open files from the tree in tabs, add, rename and
// delete files, then review the whole edit (diffs and per-environment impact) and propose it.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox, shortSha } from "../ui";
import type { BranchInfo, Repository } from "../repositories/types";
import { fetchAndWait } from "../repositories/fetch-and-wait";
import { ops, useEditSession, type EditState } from "./edit-session";
import { FileTree } from "./file-tree";
import { EditorTabs, type FileActions } from "./editor-tabs";
import { FileNameForm } from "./file-name-form";
import { ReviewPanel } from "./review-panel";
import { baseText, existsAtBase } from "./queries";

type NameForm = { mode: "add"; dir: string } | { mode: "rename"; from: string };

export function EditorPage({ repositoryId, initialRef, initialFile }: { repositoryId: string; initialRef: string; initialFile: string | null }) {
  const router = useRouter();
  const client = useQueryClient();
  const repo = useQuery({ queryKey: ["repository", repositoryId], queryFn: () => api<{ repository: Repository }>(`/api/repositories/${repositoryId}`) });
  const branches = useQuery({
    queryKey: ["branches", repositoryId],
    queryFn: () => api<{ items: BranchInfo[] }>(`/api/repositories/${repositoryId}/branches`),
  });
  const [branchChoice, setBranchChoice] = useState(initialRef);
  const branch = branchChoice || repo.data?.repository.defaultBranch || branches.data?.items[0]?.name || "";
  const head = branches.data?.items.find((b) => b.name === branch)?.headSha;
  const session = useEditSession(repositoryId, branch, head);
  const state = session.state;
  const [view, setView] = useState<"edit" | "review">("edit");
  const [nameForm, setNameForm] = useState<NameForm | null>(null);
  const [opError, setOpError] = useState<unknown>(null);
  const openedInitial = useRef(false);

  const open = (path: string) => {
    performance.clearMarks("tideline:editor:open");
    performance.clearMarks("tideline:editor:ready");
    performance.clearMarks("tideline:editor:validated");
    performance.mark("tideline:editor:open");
    session.update((s) => ops.open(s, path));
    setView("edit");
  };
  useEffect(() => {
    if (state && initialFile && !openedInitial.current) {
      openedInitial.current = true;
      open(initialFile);
    }
  }, [state]);

  if (repo.error || branches.error) return <ErrorBox error={repo.error ?? branches.error} />;
  if (!repo.data || !branches.data) return <p className="text-slate-500">Loading…</p>;
  if (!head) return <p className="text-slate-500">Branch &quot;{branch}&quot; is not in this repository (yet). Fetch it first.</p>;
  if (!state) return <p className="text-slate-500">Loading…</p>;

  // Runs an action that may need the file's text at the base (rename and delete of untouched files).
  const withOriginal = (path: string, fn: (original: string | null) => (s: EditState) => EditState) => {
    setOpError(null);
    const d = state.drafts[path];
    const text = d ? Promise.resolve(d.original) : baseText(client, repositoryId, state.baseSha, path);
    text.then((original) => session.update(fn(original)), setOpError);
  };
  const actions: FileActions = {
    onSelect: (path) => session.update((s) => ops.open(s, path)),
    onClose: (path) => session.update((s) => ops.close(s, path)),
    onEdit: (path, content, original) => session.update((s) => ops.edit(s, path, content, original)),
    onRename: (from) => setNameForm({ mode: "rename", from }),
    onDelete: (path) => window.confirm(`Delete ${path}?`) && withOriginal(path, (original) => (s) => ops.remove(s, path, original)),
    onRevert: (path) => session.update((s) => ops.revert(s, path)),
  };
  const taken = async (path: string) => {
    if (state.drafts[path]) return `"${path}" is already among your changes`;
    const gone = Object.values(state.drafts).some((d) => d.basePath === path && (d.content === null || d.path !== path));
    if (!gone && (await existsAtBase(client, repositoryId, state.baseSha, path))) return `"${path}" already exists on ${branch}`;
    return null;
  };
  const rebase = async () => {
    await fetchAndWait(repositoryId).catch(() => null);
    const fresh = await client.fetchQuery({
      queryKey: ["branches", repositoryId],
      queryFn: () => api<{ items: BranchInfo[] }>(`/api/repositories/${repositoryId}/branches`),
      staleTime: 0,
    });
    const latest = fresh.items.find((b) => b.name === branch)?.headSha ?? state.baseSha;
    const originals: Record<string, string | null> = {};
    for (const d of Object.values(state.drafts)) {
      if (d.basePath) originals[d.basePath] = await baseText(client, repositoryId, latest, d.basePath).catch(() => null);
    }
    session.update((s) => ops.rebase(s, latest, originals));
  };
  const count = Object.keys(state.drafts).length;
  const activeDir = state.active?.includes("/") ? state.active.slice(0, state.active.lastIndexOf("/") + 1) : "";

  return (
    <div className="space-y-3" data-testid="editor-page">
      <div className="flex flex-wrap items-end gap-3">
        <div>
          <Link href={`/repositories/${repositoryId}`} className="text-sm text-sky-700 hover:underline">
            ← {repo.data.repository.name}
          </Link>
          <h1 className="text-2xl font-semibold">Edit {repo.data.repository.name}</h1>
        </div>
        <label className="text-sm">
          <span className="block text-slate-600">Branch</span>
          <select
            data-testid="editor-branch"
            value={branch}
            onChange={(e) => {
              setBranchChoice(e.target.value);
              setView("edit");
              router.replace(`/repositories/${repositoryId}/edit?ref=${encodeURIComponent(e.target.value)}`, { scroll: false });
            }}
            className="mt-1 rounded border border-slate-300 px-2 py-1.5"
          >
            {branches.data.items.map((b) => (
              <option key={b.name} value={b.name}>
                {b.name}
              </option>
            ))}
          </select>
        </label>
        <div className="ml-auto flex gap-2">
          {view === "edit" ? (
            <Button data-testid="review-changes" disabled={count === 0} onClick={() => setView("review")}>
              Review changes ({count})
            </Button>
          ) : (
            <Button data-testid="back-to-editor" variant="secondary" onClick={() => setView("edit")}>
              Back to editor
            </Button>
          )}
        </div>
      </div>
      {count > 0 && head !== state.baseSha && (
        <p className="rounded bg-sky-50 px-3 py-1.5 text-sm text-sky-900" data-testid="base-moved">
          Your edits are on {shortSha(state.baseSha)}; {branch} is now at {shortSha(head)}. Proposing replays them onto it (conflicting files are reported).{" "}
          <button type="button" data-testid="rebase-banner" className="text-sky-700 underline" onClick={() => void rebase().catch(setOpError)}>
            Use the latest {branch} as base
          </button>{" "}
          (keeps your version of every file).
        </p>
      )}
      {session.saveError && <p className="text-sm text-amber-800">{session.saveError}</p>}
      <ErrorBox error={opError} />
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-[17rem_1fr]">
        <aside className="space-y-2">
          <Button variant="secondary" data-testid="add-file" className="w-full" onClick={() => setNameForm({ mode: "add", dir: activeDir })}>
            New file
          </Button>
          {nameForm && (
            <FileNameForm
              key={nameForm.mode === "add" ? "add" : nameForm.from}
              label={nameForm.mode === "add" ? "New file path" : `Rename ${nameForm.from} to`}
              initial={nameForm.mode === "add" ? nameForm.dir : nameForm.from}
              submitLabel={nameForm.mode === "add" ? "Add file" : "Rename"}
              taken={taken}
              onCancel={() => setNameForm(null)}
              onSubmit={(path) => {
                setNameForm(null);
                if (nameForm.mode === "add") {
                  session.update((s) => ops.add(s, path));
                  setView("edit");
                } else withOriginal(nameForm.from, (original) => (s) => ops.rename(s, nameForm.from, path, original));
              }}
            />
          )}
          <FileTree repositoryId={repositoryId} baseSha={state.baseSha} drafts={state.drafts} active={state.active} onOpen={open} />
        </aside>
        <section className="min-w-0">
          {view === "edit" ? (
            <EditorTabs repositoryId={repositoryId} branch={branch} state={state} actions={actions} />
          ) : (
            <ReviewPanel
              repositoryId={repositoryId}
              branch={branch}
              state={state}
              onRebase={rebase}
              onProposed={({ change }) => {
                session.reset(head);
                router.push(`/changes/${change.id}`);
              }}
            />
          )}
        </section>
      </div>
    </div>
  );
}

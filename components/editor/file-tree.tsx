"use client";
// The repository's folders at the base commit (loaded as they are opened), marked with what the
// session changed; new and renamed files, which the base tree lacks, are listed above it.
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { ErrorBox } from "../ui";
import { FileChangeMark } from "../changes/badges";
import { draftChange, type Draft } from "./edit-session";
import { treeQuery } from "./queries";

interface TreeProps {
  repositoryId: string;
  baseSha: string;
  drafts: Record<string, Draft>;
  active: string | null;
  onOpen: (path: string) => void;
}

export function FileTree(props: TreeProps) {
  const pending = Object.values(props.drafts).sort((a, b) => a.path.localeCompare(b.path));
  return (
    <div className="space-y-3 text-sm">
      {pending.length > 0 && (
        <section data-testid="pending-changes" className="rounded border border-amber-200 bg-amber-50">
          <h3 className="px-2 py-1 text-xs font-semibold text-amber-900">Unsaved changes ({pending.length})</h3>
          <ul>
            {pending.map((d) => (
              <li key={d.path}>
                <button
                  type="button"
                  data-testid={`pending-${d.path}`}
                  disabled={d.content === null}
                  onClick={() => props.onOpen(d.path)}
                  className={`flex w-full items-center gap-1 truncate px-2 py-0.5 text-left font-mono text-xs hover:bg-amber-100 ${d.content === null ? "line-through" : ""}`}
                  title={d.basePath && d.basePath !== d.path ? `renamed from ${d.basePath}` : undefined}
                >
                  <FileChangeMark change={draftChange(d)} /> {d.path}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      <div data-testid="file-tree" className="rounded border border-slate-200 bg-white py-1">
        <Folder {...props} dir="" depth={0} />
      </div>
    </div>
  );
}

function Folder(props: TreeProps & { dir: string; depth: number }) {
  const tree = useQuery(treeQuery(props.repositoryId, props.baseSha, props.dir));
  if (tree.error) return <ErrorBox error={tree.error} />;
  if (!tree.data)
    return (
      <p className="px-2 text-xs text-slate-500" style={{ paddingLeft: props.depth * 12 + 8 }}>
        Loading…
      </p>
    );
  return (
    <ul>
      {tree.data.entries.map((e) =>
        e.type === "tree" ? (
          <FolderNode key={e.path} {...props} dir={e.path} name={e.name} />
        ) : (
          <FileNode key={e.path} {...props} path={e.path} name={e.name} />
        ),
      )}
    </ul>
  );
}

function FolderNode(props: TreeProps & { dir: string; depth: number; name: string }) {
  // Folders on the way to the open file start expanded.
  const [open, setOpen] = useState(() => !!props.active?.startsWith(`${props.dir}/`));
  return (
    <li>
      <button
        type="button"
        data-testid={`tree-folder-${props.dir}`}
        onClick={() => setOpen(!open)}
        className="block w-full truncate px-2 py-0.5 text-left font-mono text-xs hover:bg-slate-50"
        style={{ paddingLeft: props.depth * 12 + 8 }}
      >
        {open ? "▾" : "▸"} {props.name}
      </button>
      {open && <Folder {...props} depth={props.depth + 1} />}
    </li>
  );
}

function FileNode(props: TreeProps & { path: string; depth: number; name: string }) {
  const own = props.drafts[props.path];
  const movedAway = !own && Object.values(props.drafts).some((d) => d.basePath === props.path && d.path !== props.path);
  const mark = own ? draftChange(own) : movedAway ? "renamed" : null;
  const gone = own?.content === null || movedAway;
  return (
    <li>
      <button
        type="button"
        data-testid={`tree-file-${props.path}`}
        disabled={gone}
        onClick={() => props.onOpen(props.path)}
        className={`flex w-full items-center gap-1 truncate px-2 py-0.5 text-left font-mono text-xs hover:bg-slate-50 ${props.active === props.path ? "bg-sky-100" : ""} ${gone ? "text-slate-400 line-through" : ""}`}
        style={{ paddingLeft: props.depth * 12 + 20 }}
      >
        {mark && <FileChangeMark change={mark} />} {props.name}
      </button>
    </li>
  );
}

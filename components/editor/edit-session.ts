"use client";
// The editor's unsaved work for one repository + branch: drafts (edited, added, renamed, deleted
// files against the base commit they were read at), open tabs, and the active tab. Kept in
// sessionStorage so a reload loses nothing; the proposal payload is built from the drafts.
import { useEffect, useRef, useState } from "react";

export interface Draft {
  /** Where the file is now (the key in `drafts`). */
  path: string;
  /** Where it was at the base commit; null for a new file. */
  basePath: string | null;
  /** Its text at the base commit (null: new, or not text). */
  original: string | null;
  /** Its text now; null deletes it. */
  content: string | null;
}

export interface EditState {
  key: string;
  baseSha: string;
  drafts: Record<string, Draft>;
  tabs: string[];
  active: string | null;
  /** Bumped on every draft change (cache key for the preview). */
  revision: number;
}

export type DraftChange = "added" | "modified" | "deleted" | "renamed";

export const storageKey = (repositoryId: string, branch: string) => `tideline:edit:${repositoryId}:${branch}`;

export function draftChange(d: Draft): DraftChange {
  if (d.content === null) return "deleted";
  if (d.basePath === null) return "added";
  return d.basePath !== d.path ? "renamed" : "modified";
}

/** The `files` of POST /api/changes and /api/changes/preview. */
export function proposalFiles(drafts: Record<string, Draft>) {
  return Object.values(drafts)
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((d) => {
      if (d.content === null) return { path: d.basePath ?? d.path, content: null };
      if (d.basePath && d.basePath !== d.path) return { path: d.path, content: d.content, previousPath: d.basePath };
      return { path: d.path, content: d.content };
    });
}

const isClean = (d: Draft) => d.basePath === d.path && d.content !== null && d.content === d.original;

function withDrafts(s: EditState, drafts: Record<string, Draft>, tabs = s.tabs, active = s.active): EditState {
  return { ...s, drafts, tabs, active, revision: s.revision + 1 };
}

export const ops = {
  open: (s: EditState, path: string): EditState => ({ ...s, tabs: s.tabs.includes(path) ? s.tabs : [...s.tabs, path], active: path }),
  close(s: EditState, path: string): EditState {
    const i = s.tabs.indexOf(path);
    const tabs = s.tabs.filter((t) => t !== path);
    return { ...s, tabs, active: s.active === path ? (tabs[Math.min(i, tabs.length - 1)] ?? null) : s.active };
  },
  edit(s: EditState, path: string, content: string, original: string | null): EditState {
    const d: Draft = { ...(s.drafts[path] ?? { path, basePath: path, original }), content };
    const drafts = { ...s.drafts };
    if (isClean(d)) delete drafts[path];
    else drafts[path] = d;
    return withDrafts(s, drafts);
  },
  add(s: EditState, path: string): EditState {
    return ops.open(withDrafts(s, { ...s.drafts, [path]: { path, basePath: null, original: null, content: "" } }), path);
  },
  rename(s: EditState, from: string, to: string, original: string | null): EditState {
    const d = s.drafts[from] ?? { path: from, basePath: from, original, content: original };
    const drafts = { ...s.drafts };
    delete drafts[from];
    const moved = { ...d, path: to };
    if (!isClean(moved)) drafts[to] = moved;
    return withDrafts(
      s,
      drafts,
      s.tabs.map((t) => (t === from ? to : t)),
      s.active === from ? to : s.active,
    );
  },
  remove(s: EditState, path: string, original: string | null): EditState {
    const d = s.drafts[path];
    const drafts = { ...s.drafts };
    delete drafts[path];
    if (d?.basePath !== null) {
      const base = d?.basePath ?? path;
      drafts[base] = { path: base, basePath: base, original: d?.original ?? original, content: null };
    }
    const closed = ops.close(s, path);
    return withDrafts(s, drafts, closed.tabs, closed.active);
  },
  revert(s: EditState, path: string): EditState {
    const d = s.drafts[path];
    const drafts = { ...s.drafts };
    delete drafts[path];
    const back = d?.basePath ?? null;
    const tabs = back ? s.tabs.map((t) => (t === path ? back : t)) : s.tabs.filter((t) => t !== path);
    return withDrafts(s, drafts, [...new Set(tabs)], s.active === path ? (back ?? tabs[0] ?? null) : s.active);
  },
  /** Moves the session onto a newer base, keeping the user's versions; originals are re-read at the new base. */
  rebase(s: EditState, baseSha: string, originals: Record<string, string | null>): EditState {
    const drafts: Record<string, Draft> = {};
    for (const d of Object.values(s.drafts)) {
      const moved = { ...d, original: d.basePath === null ? null : (originals[d.basePath] ?? null) };
      if (!isClean(moved)) drafts[d.path] = moved;
    }
    return { ...withDrafts(s, drafts), baseSha };
  },
};

function load(key: string): EditState | null {
  try {
    const raw = window.sessionStorage.getItem(key);
    const parsed = raw ? (JSON.parse(raw) as EditState) : null;
    return parsed && typeof parsed.baseSha === "string" && parsed.drafts ? { ...parsed, key, revision: parsed.revision ?? 0 } : null;
  } catch {
    return null;
  }
}

/**
 * The session for repository + branch: restored from sessionStorage (its drafts stay on the base
 * they were made on), else a fresh one at the branch head. Saves shortly after every change.
 */
export function useEditSession(repositoryId: string, branch: string, headSha: string | undefined) {
  const key = storageKey(repositoryId, branch);
  const [state, setState] = useState<EditState | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const latest = useRef<EditState | null>(null);

  useEffect(() => {
    if (!headSha) return;
    setState((prev) => {
      // Drafts stay on the base they were made on; without drafts the session follows the branch head.
      const base = prev && prev.key === key ? prev : load(key);
      if (base && Object.keys(base.drafts).length > 0) return base;
      return { key, baseSha: headSha, drafts: {}, tabs: base?.tabs ?? [], active: base?.active ?? null, revision: base?.revision ?? 0 };
    });
  }, [key, headSha]);

  const persist = (s: EditState) => {
    try {
      window.sessionStorage.setItem(s.key, JSON.stringify(s));
      setSaveError(null);
    } catch (e) {
      setSaveError(`Unsaved edits could not be kept in this tab's storage (${(e as Error).message}); propose soon or copy them`);
    }
  };
  useEffect(() => {
    if (!state || state.key !== key) return;
    latest.current = state;
    const t = setTimeout(() => persist(state), 150);
    return () => clearTimeout(t);
  }, [state, key]);
  useEffect(() => {
    // Leaving the page (reload, navigation) writes what the debounce has not saved yet.
    const flush = () => latest.current && persist(latest.current);
    window.addEventListener("pagehide", flush);
    return () => {
      window.removeEventListener("pagehide", flush);
      flush();
    };
  }, []);

  const current = state && state.key === key ? state : null;
  return {
    state: current,
    saveError,
    update: (fn: (s: EditState) => EditState) => setState((s) => (s && s.key === key ? fn(s) : s)),
    /** After a successful proposal: forget the drafts of this branch. */
    reset: (baseSha: string) => {
      const fresh = { key, baseSha, drafts: {}, tabs: [], active: null, revision: 0 };
      latest.current = fresh;
      window.sessionStorage.removeItem(key);
      setState(fresh);
    },
  };
}

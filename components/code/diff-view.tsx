"use client";
import { useState } from "react";
import { DiffEditor } from "@monaco-editor/react";
import { configureMonaco, languageFor } from "./monaco-loader";

configureMonaco();

/**
 * A read-only diff in Monaco: side by side or inline, and "only changed" folds the unchanged
 * stretches (a few lines of context stay; a fold opens on click), as Argo CD's diff view offers.
 */
export function DiffView({ path, before, after, height = 480 }: { path: string; before: string; after: string; height?: number }) {
  const [inline, setInline] = useState(false);
  const [onlyChanged, setOnlyChanged] = useState(false);
  const toggle = "rounded border px-2 py-0.5 text-xs";
  const on = "border-sky-600 bg-sky-50 text-sky-800";
  const off = "border-slate-300 text-slate-600 hover:bg-slate-50";
  return (
    <div data-testid="diff-view" className="min-w-0 overflow-hidden rounded border border-slate-200">
      <div className="flex items-center gap-2 border-b border-slate-100 bg-slate-50 px-2 py-1">
        <button type="button" data-testid="diff-inline" aria-pressed={inline} className={`${toggle} ${inline ? on : off}`} onClick={() => setInline(!inline)}>
          {inline ? "Inline" : "Side by side"}
        </button>
        <button
          type="button"
          data-testid="diff-only-changed"
          aria-pressed={onlyChanged}
          className={`${toggle} ${onlyChanged ? on : off}`}
          onClick={() => setOnlyChanged(!onlyChanged)}
        >
          Only changed
        </button>
      </div>
      <DiffEditor
        height={height}
        language={languageFor(path)}
        original={before}
        modified={after}
        loading={<p className="p-4 text-sm text-slate-500">Loading diff…</p>}
        // Long lines (a CRD description, an inline JSON blob) wrap, so the changed part stays in view
        // on both sides; a horizontal scrollbar stays for the rare unbreakable token.
        options={{
          readOnly: true,
          renderSideBySide: !inline,
          useInlineViewWhenSpaceIsLimited: false,
          hideUnchangedRegions: { enabled: onlyChanged, contextLineCount: 3, minimumLineCount: 3, revealLineCount: 20 },
          minimap: { enabled: false },
          scrollBeyondLastLine: false,
          automaticLayout: true,
          wordWrap: "on",
          diffWordWrap: "on",
          wrappingIndent: "indent",
          scrollbar: { horizontal: "auto" },
        }}
      />
    </div>
  );
}

"use client";
import { DiffEditor } from "@monaco-editor/react";
import { configureMonaco, languageFor } from "./monaco-loader";

configureMonaco();

export function DiffView({ path, before, after, height = 480 }: { path: string; before: string; after: string; height?: number }) {
  return (
    <div data-testid="diff-view" className="overflow-hidden rounded border border-slate-200">
      <DiffEditor
        height={height}
        language={languageFor(path)}
        original={before}
        modified={after}
        loading={<p className="p-4 text-sm text-slate-500">Loading diff…</p>}
        options={{ readOnly: true, renderSideBySide: true, minimap: { enabled: false }, scrollBeyondLastLine: false, automaticLayout: true }}
      />
    </div>
  );
}

"use client";
import Editor from "@monaco-editor/react";
import { configureMonaco, languageFor } from "./monaco-loader";

configureMonaco();

export function FileView({ path, content }: { path: string; content: string }) {
  const lines = content.split("\n").length;
  return (
    <div data-testid="file-view" className="overflow-hidden rounded border border-slate-200">
      <Editor
        height={Math.min(Math.max(lines * 19 + 20, 120), 720)}
        language={languageFor(path)}
        value={content}
        loading={<pre className="p-4 text-xs">{content.slice(0, 2000)}</pre>}
        options={{ readOnly: true, minimap: { enabled: false }, scrollBeyondLastLine: false, automaticLayout: true }}
      />
    </div>
  );
}

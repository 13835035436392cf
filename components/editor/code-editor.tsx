"use client";
// Monaco for one open file (one model per path, so undo history survives tab switches), with
// validation markers from POST /api/repositories/:id/validate, debounced while typing.
import Editor, { type OnMount } from "@monaco-editor/react";
import { useEffect, useRef, useState } from "react";
import { configureMonaco, languageFor } from "../code/monaco-loader";

configureMonaco();

type MonacoApi = Parameters<OnMount>[1];
type EditorInstance = Parameters<OnMount>[0];

export interface EditorMarker {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: "error" | "warning";
  message: string;
  source: string;
}

interface Validation {
  markers: EditorMarker[];
  environment: { name: string; application: { name: string }; cluster: { name: string } } | null;
  schemaSource: string | null;
  schemaError?: string;
  skipped?: string;
}

const VALIDATED = /\.(ya?ml|json)$/i;

function useValidation(repositoryId: string, ref: string, path: string, content: string) {
  const [state, setState] = useState<{ path: string; content: string; result?: Validation; error?: string } | null>(null);
  useEffect(() => {
    if (!VALIDATED.test(path)) return;
    const ctrl = new AbortController();
    const t = setTimeout(() => {
      fetch(`/api/repositories/${repositoryId}/validate`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ ref, path, content }),
        credentials: "same-origin",
        signal: ctrl.signal,
      })
        .then(async (res) => {
          const data = await res.json().catch(() => ({}));
          if (!res.ok) throw new Error(data?.error?.message ?? `validation failed (HTTP ${res.status})`);
          setState({ path, content, result: data as Validation });
        })
        .catch((e: Error) => {
          if (!ctrl.signal.aborted) setState({ path, content, error: e.message });
        });
    }, 300);
    return () => {
      clearTimeout(t);
      ctrl.abort();
    };
  }, [repositoryId, ref, path, content]);
  if (!VALIDATED.test(path)) return { status: "skipped" as const };
  if (!state || state.path !== path) return { status: "checking" as const };
  return { status: state.content === content ? ("done" as const) : ("checking" as const), result: state.result, error: state.error };
}

export function CodeEditor({
  repositoryId,
  gitRef,
  modelPrefix,
  path,
  value,
  onChange,
}: {
  repositoryId: string;
  gitRef: string;
  modelPrefix: string;
  path: string;
  value: string;
  onChange: (v: string) => void;
}) {
  const [monaco, setMonaco] = useState<MonacoApi | null>(null);
  const editorRef = useRef<EditorInstance | null>(null);
  const validation = useValidation(repositoryId, gitRef, path, value);
  const markers = validation.result?.markers ?? [];

  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (!monaco || !model || validation.status !== "done") return;
    monaco.editor.setModelMarkers(
      model,
      "tideline",
      markers.map((m) => ({
        startLineNumber: m.line,
        startColumn: m.column,
        endLineNumber: m.endLine,
        endColumn: m.endColumn,
        severity: m.severity === "error" ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
        message: m.message,
        source: m.source,
      })),
    );
    performance.mark("tideline:editor:validated");
  }, [monaco, validation.status, validation.result, path]);

  useEffect(() => {
    if (monaco) requestAnimationFrame(() => performance.mark("tideline:editor:ready"));
  }, [monaco, path]);

  const reveal = (m: EditorMarker) => {
    editorRef.current?.revealLineInCenter(m.line);
    editorRef.current?.setPosition({ lineNumber: m.line, column: m.column });
    editorRef.current?.focus();
  };

  return (
    <div className="space-y-2">
      <div data-testid="code-editor" data-path={path} className="overflow-hidden rounded border border-slate-200">
        <Editor
          height="65vh"
          path={`${modelPrefix}/${path}`}
          language={languageFor(path)}
          value={value}
          keepCurrentModel
          onChange={(v) => onChange(v ?? "")}
          onMount={(editor, m) => {
            editorRef.current = editor;
            setMonaco(m);
          }}
          loading={<p className="p-4 text-sm text-slate-500">Loading editor…</p>}
          options={{
            automaticLayout: true,
            folding: true,
            foldingStrategy: "indentation",
            showFoldingControls: "always",
            minimap: { enabled: false },
            scrollBeyondLastLine: false,
            tabSize: 2,
            insertSpaces: true,
            renderWhitespace: "boundary",
          }}
        />
      </div>
      <Problems validation={validation} markers={markers} onPick={reveal} />
    </div>
  );
}

function Problems({
  validation,
  markers,
  onPick,
}: {
  validation: ReturnType<typeof useValidation>;
  markers: EditorMarker[];
  onPick: (m: EditorMarker) => void;
}) {
  if (validation.status === "skipped") return null;
  const r = validation.result;
  const status =
    validation.status === "checking"
      ? "Checking…"
      : validation.error
        ? `Validation unavailable: ${validation.error}`
        : markers.length === 0
          ? "No problems"
          : `${markers.length} problem(s)`;
  const against = r?.environment
    ? ` · checked against ${r.environment.application.name}/${r.environment.name} on ${r.environment.cluster.name}`
    : r?.skipped === "helm-template"
      ? " · Helm template: checked once rendered"
      : " · YAML syntax only (no environment uses this folder)";
  return (
    <div className="rounded border border-slate-200 bg-white text-xs" data-testid="problems">
      <p className="px-2 py-1 text-slate-600">
        <span data-testid="validation-status" data-state={validation.status}>
          {status}
        </span>
        {validation.status === "done" && !validation.error && against}
        {r?.schemaError && <span className="text-amber-700"> · {r.schemaError}</span>}
      </p>
      {markers.length > 0 && (
        <ul className="max-h-40 overflow-auto border-t border-slate-100">
          {markers.map((m, i) => (
            <li key={i}>
              <button type="button" data-testid="problem" onClick={() => onPick(m)} className="block w-full px-2 py-0.5 text-left font-mono hover:bg-slate-50">
                <span className={m.severity === "error" ? "text-rose-700" : "text-amber-700"}>{m.severity}</span> {m.line}:{m.column} {m.message}{" "}
                <span className="text-slate-400">({m.source})</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

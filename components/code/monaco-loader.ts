// Monaco is served from our own origin (public/monaco, copied from the monaco-editor
// package at build time): no CDN, so it works offline and behind firewalls.
import { loader } from "@monaco-editor/react";

let configured = false;
export function configureMonaco(): void {
  if (configured) return;
  loader.config({ paths: { vs: "/monaco/vs" } });
  configured = true;
}

const LANGUAGES: Record<string, string> = {
  yaml: "yaml",
  yml: "yaml",
  json: "json",
  md: "markdown",
  js: "javascript",
  ts: "typescript",
  tpl: "yaml",
  toml: "ini",
  ini: "ini",
  sh: "shell",
  py: "python",
  go: "go",
  dockerfile: "dockerfile",
};

export function languageFor(path: string): string {
  const name = path.split("/").pop()?.toLowerCase() ?? "";
  if (name === "dockerfile") return "dockerfile";
  return LANGUAGES[name.split(".").pop() ?? ""] ?? "plaintext";
}

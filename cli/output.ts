// Output for people (aligned tables, short lines) and for scripts (-o json | -o yaml, the API's
// own objects, unchanged).
import { stringify } from "yaml";
import type { GlobalOptions } from "./session";

export type Format = NonNullable<GlobalOptions["output"]>;

export const isMachine = (opts: GlobalOptions) => opts.output === "json" || opts.output === "yaml";

/** Prints `data` as JSON/YAML, or the table/text `human()` builds. */
export function emit(opts: GlobalOptions, data: unknown, human: () => string): void {
  if (opts.output === "json") process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  else if (opts.output === "yaml") process.stdout.write(stringify(data));
  else {
    const text = human();
    if (text) process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }
}

/** Progress lines: stdout for people, stderr when stdout carries JSON/YAML for a script. */
export function progress(opts: GlobalOptions, line: string): void {
  (isMachine(opts) ? process.stderr : process.stdout).write(`${line}\n`);
}

export function table(headers: string[], rows: Array<Array<string | number | null | undefined>>): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined || c === "" ? "-" : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** "Key: value" lines for one object. */
export function fields(pairs: Array<[string, string | number | boolean | null | undefined]>): string {
  const width = Math.max(...pairs.map(([k]) => k.length)) + 1;
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width)} ${v === null || v === undefined || v === "" ? "-" : String(v)}`).join("\n");
}

export const short = (sha: string | null | undefined) => (sha ? sha.slice(0, 7) : "");

export function ago(iso: string | null | undefined): string {
  if (!iso) return "";
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

export function duration(from: string | null | undefined, to: string | null | undefined): string {
  if (!from || !to) return "";
  const ms = new Date(to).getTime() - new Date(from).getTime();
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

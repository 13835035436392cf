// What every benchmark script shares: progress lines, timing, percentile summaries, the
// Markdown tables they print, their JSON results file, and cleanup that never masks a result.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";

export const log = (msg: string) => process.stderr.write(`\x1b[36m▸\x1b[0m ${msg}\n`);

export interface Stats {
  runs: number;
  median: number;
  p50: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
}

/** Percentiles of samples (milliseconds), each passed through `round` for printing. */
export function stats(samples: number[], round: (n: number) => number): Stats {
  const s = [...samples].sort((a, b) => a - b);
  if (s.length === 0) return { runs: 0, median: NaN, p50: NaN, p95: NaN, p99: NaN, min: NaN, max: NaN };
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
  const median = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return {
    runs: s.length,
    median: round(median),
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    p99: round(at(0.99)),
    min: round(s[0]!),
    max: round(s[s.length - 1]!),
  };
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

/** `runs` timed calls after `warmup` untimed ones. */
export async function sample(fn: () => Promise<unknown>, runs: number, warmup: number, round: (n: number) => number): Promise<Stats> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) out.push((await timed(fn)).ms);
  return stats(out, round);
}

/** A Markdown table: first column left-aligned, the others right-aligned. */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => "| " + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ") + " |";
  const sep = "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|";
  return [line(cells[0]!), sep, ...cells.slice(1).map(line)].join("\n");
}

/** Writes bench/results/<name>-<timestamp>.json and says where. */
export function writeResults(root: string, name: string, data: Record<string, unknown>): void {
  const resultsDir = path.join(root, "bench", "results");
  mkdirSync(resultsDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const file = path.join(resultsDir, `${name}-${stamp}.json`);
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), ...data }, null, 2));
  console.log(`\nJSON results: ${path.relative(root, file)}`);
}

/** Runs cleanups newest first; a failing one is reported, not thrown over the benchmark's own error. */
export async function runCleanups(cleanups: Array<() => Promise<void> | void>, tmp: string, keep: boolean): Promise<void> {
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch (error) {
      log(`cleanup: ${(error as Error).message}`);
    }
  }
  if (keep) log(`Kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}

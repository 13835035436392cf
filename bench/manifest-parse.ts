// Manifest parsing benchmark (issue 14, finding 5): one generated file of N objects (ConfigMaps and
// Deployments, as a big `kustomize build` or a generated plain file holds) parsed by
// lib/render/manifest.ts parseManifests, against the algorithm it replaced, in the same run:
// the same parse, but every document's line found by scanning the text from its start (quadratic
// in the number of documents). The baseline lives only here.
//
//   npx tsx --conditions=react-server bench/manifest-parse.ts                        # 1,000 and 5,000 objects
//   BENCH_SIZES=1000,5000,10000 BENCH_RUNS=5 npx tsx --conditions=react-server bench/manifest-parse.ts
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseAllDocuments } from "yaml";
import { parseManifests } from "../lib/render/manifest";
import { log, stats, table, writeResults } from "./lib/report";

const SIZES = (process.env.BENCH_SIZES ?? "1000,5000").split(",").map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ROOT = path.resolve(import.meta.dirname, "..");

function object(i: number): string {
  if (i % 2 === 0)
    return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  labels:\n    app.kubernetes.io/part-of: bench\ndata:\n  LOG_LEVEL: info\n  FEATURE_FLAGS: search,history\n`;
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: deploy-${i}
  labels:
    app.kubernetes.io/name: deploy-${i}
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: deploy-${i}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: deploy-${i}
    spec:
      containers:
        - name: app
          image: registry.example.com/bench/app:1.${i}.0
          ports:
            - containerPort: 8080
          resources:
            requests: { cpu: 10m, memory: 16Mi }
`;
}

// ------------------------------------------------------------ baseline: the replaced algorithm
function lineOfByScan(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function parseManifestsBefore(text: string, source: string): Array<{ object: unknown; source: string; line?: number }> {
  const out: Array<{ object: unknown; source: string; line?: number }> = [];
  const docs = parseAllDocuments(text, { prettyErrors: true });
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) throw new Error(`${source}: invalid YAML`);
    const value = doc.toJS({ maxAliasCount: 100 }) as { kind?: string; items?: unknown[] } | null;
    if (value === null || value === undefined) continue;
    const items = typeof value.kind === "string" && value.kind.endsWith("List") && Array.isArray(value.items) ? value.items : [value];
    for (const item of items) out.push({ object: item, source, line: doc.range?.[0] !== undefined ? lineOfByScan(text, doc.range[0]) : undefined });
  }
  return out;
}

const ms = (n: number) => Math.round(n * 10) / 10;
const fmt = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${ms(n)} ms`);

function measure(fn: () => unknown): ReturnType<typeof stats> {
  fn(); // warm-up
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    fn();
    runs.push(performance.now() - t);
  }
  return stats(runs, ms);
}

const loadAtStart = os.loadavg().map((l) => Math.round(l * 100) / 100);
const rows: Array<{ objects: number; bytes: number; lines: number; before: ReturnType<typeof stats>; after: ReturnType<typeof stats> }> = [];
for (const n of SIZES) {
  const text = Array.from({ length: n }, (_, i) => object(i)).join("---\n");
  const lines = text.split("\n").length;
  // Both produce the same objects with the same lines: the comparison is like for like.
  const a = parseManifestsBefore(text, "bench.yaml");
  const b = parseManifests(text, "bench.yaml");
  if (a.length !== b.length) throw new Error(`object counts differ: ${a.length} vs ${b.length}`);
  log(`${n} objects (${Math.round(text.length / 1024)} KiB, ${lines} lines): before`);
  const before = measure(() => parseManifestsBefore(text, "bench.yaml"));
  log(`${n} objects: after`);
  const after = measure(() => parseManifests(text, "bench.yaml"));
  rows.push({ objects: n, bytes: text.length, lines, before, after });
}

const first = rows[0]!;
const out: string[] = [];
out.push(`Parsing one file of N objects (lib/render/manifest.ts), median of ${RUNS} runs after a warm-up`);
out.push(
  `Machine: ${os.cpus()[0]?.model} x${os.cpus().length}, Node ${process.version}, load ${loadAtStart.join(" / ")} at start, ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" / ")} at end`,
);
out.push("");
out.push(
  table(
    [
      "Objects in one file",
      "Size",
      "Before (line scan per document)",
      "After (LineCounter)",
      "Speed-up",
      `Before vs ${first.objects}`,
      `After vs ${first.objects}`,
    ],
    rows.map((r) => [
      r.objects.toLocaleString("en"),
      `${Math.round(r.bytes / 1024)} KiB`,
      fmt(r.before.median),
      fmt(r.after.median),
      `${(r.before.median / r.after.median).toFixed(1)}x`,
      `${(r.before.median / first.before.median).toFixed(1)}x`,
      `${(r.after.median / first.after.median).toFixed(1)}x`,
    ]),
  ),
);
out.push("");
out.push(
  `Linear would be ${rows.map((r) => `${(r.objects / first.objects).toFixed(0)}x`).join(" / ")} the time of ${first.objects} objects; quadratic ${rows.map((r) => `${((r.objects / first.objects) ** 2).toFixed(0)}x`).join(" / ")}.`,
);
console.log(out.join("\n"));
writeResults(ROOT, "manifest-parse", { config: { SIZES, RUNS }, loadAtStart, loadAtEnd: os.loadavg(), rows });

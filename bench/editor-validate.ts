// Editor validation benchmark (issue target: a 5,000-line file validates well under 1 s after the
// first OpenAPI fetch). Starts a dedicated test bed, generates a manifest of ConfigMaps and
// Deployments, and times lib/editor validation cold (fresh schema cache: /openapi/v3 index and the
// group-version documents fetched over a new connection) and warm. The baseline, on the same file
// against the same API server in the same run: `kubectl apply --dry-run=server --validate=strict -f`.
// A second file with three planted mistakes checks that both sides find the same problems.
//
//   npx tsx --conditions=react-server bench/editor-validate.ts                    # 5,000 lines (about 1-2 minutes)
//   BENCH_LINES=1500 BENCH_RUNS=5 npx tsx --conditions=react-server bench/editor-validate.ts   # smoke run
//
// Optional env: BENCH_LINES (5000; alternating ConfigMaps and Deployments), BENCH_RUNS (20 warm
// runs), BENCH_COLD_RUNS (5), BENCH_KUBECTL_RUNS (3), BENCH_KEEP=1, KUBECTL (/usr/bin/kubectl).
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { ROOT, startTestbed, type Testbed } from "../scripts/testbed.mjs";
import { clientFromKubeconfig, closeConnections } from "../lib/kube/transport";
import { validateContent } from "../lib/editor/validate-file";
import { ClusterSchemas, forgetSchemas, schemaCacheStats, schemasForCluster } from "../lib/kube/openapi-schemas";
import { parseManifest, validateAgainstSchema, validateYaml, type EditorMarker } from "../lib/editor/validate-manifest";
import { log, runCleanups, sample, stats, table, timed, writeResults } from "./lib/report";

const LINES = Number(process.env.BENCH_LINES ?? 5000);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 5);
const KUBECTL_RUNS = Number(process.env.BENCH_KUBECTL_RUNS ?? 3);
const KEEP = process.env.BENCH_KEEP === "1";
const KUBECTL = process.env.KUBECTL ?? "/usr/bin/kubectl";

const ms = (n: number) => Math.round(n * 10) / 10;
const fmtMs = (n: number) => (!Number.isFinite(n) ? "n/a" : n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${ms(n)} ms`);
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(a / b >= 100 ? 0 : 2)}x` : "n/a");

function configMap(i: number): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: cm-${i}
  labels:
    app.kubernetes.io/name: svc-${i}
    app.kubernetes.io/part-of: bench
data:
  LOG_LEVEL: info
  FEATURE_FLAGS: search,history
  application.yaml: |
    server:
      port: 8080
      name: cm-${i}
    cache:
      ttlSeconds: 300
`;
}

function deployment(i: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: deploy-${i}
  labels:
    app.kubernetes.io/name: deploy-${i}
    app.kubernetes.io/part-of: bench
spec:
  replicas: 0
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 1
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
          imagePullPolicy: IfNotPresent
          ports:
            - name: http
              containerPort: 8080
          env:
            - name: NAMESPACE
              valueFrom:
                fieldRef:
                  fieldPath: metadata.namespace
          readinessProbe:
            httpGet:
              path: /health
              port: http
          resources:
            requests:
              cpu: 10m
              memory: 16Mi
`;
}

/** Alternating ConfigMaps and Deployments until the file has LINES lines. */
function documents(): string[] {
  const docs: string[] = [];
  let lines = 0;
  for (let i = 0; lines < LINES; i++) {
    docs.push(i % 2 ? deployment(i) : configMap(i));
    lines += docs[i]!.split("\n").length; // its lines plus the "---" separator
  }
  return docs;
}
const DOCS = documents().length;

function manifest(withMistakes: boolean): string {
  const docs = documents();
  if (withMistakes) {
    const d = (i: number) => (i % 2 ? i : i + 1);
    docs[d(11)] = docs[d(11)]!.replace("replicas: 0", "replicas: zero");
    docs[d(DOCS >> 1)] = docs[d(DOCS >> 1)]!.replace("imagePullPolicy: IfNotPresent", "imagePullPolicyy: IfNotPresent");
    docs[d(DOCS - 2)] = docs[d(DOCS - 2)]!.replace("imagePullPolicy: IfNotPresent", "imagePullPolicy: always");
  }
  return docs.join("---\n");
}

function run(cmd: string, args: string[]): Promise<{ ms: number; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ ms: performance.now() - started, code, stdout, stderr }));
  });
}

async function validate(text: string, schemas: ClusterSchemas): Promise<{ markers: EditorMarker[]; parseMs: number; checkMs: number }> {
  const t0 = performance.now();
  const parsed = parseManifest(text);
  const t1 = performance.now();
  const markers = [...validateYaml(parsed), ...(await validateAgainstSchema(parsed, (v, k) => schemas.lookup(v, k)))];
  return { markers, parseMs: t1 - t0, checkMs: performance.now() - t1 };
}

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "tideline-bench-editor-"));
  chmodSync(tmp, 0o755);
  const cleanups: Array<() => Promise<void> | void> = [];
  const loadAtStart = os.loadavg().map((l) => Math.round(l * 100) / 100);
  try {
    const bedDir = path.join(tmp, "testbed");
    mkdirSync(bedDir);
    chmodSync(bedDir, 0o755);
    log(`Starting a dedicated test bed in ${bedDir}`);
    const tb: Testbed = await startTestbed({ dir: bedDir, quiet: true });
    cleanups.push(() => tb.stop());
    const kubeconfig = readFileSync(tb.kubeconfigPath, "utf8");
    log(`Test bed ready: ${tb.server} (Kubernetes ${tb.version})`);

    const clean = manifest(false);
    const faulty = manifest(true);
    const cleanFile = path.join(tmp, "manifest.yaml");
    const faultyFile = path.join(tmp, "manifest-mistakes.yaml");
    writeFileSync(cleanFile, clean);
    writeFileSync(faultyFile, faulty);
    const lines = clean.split("\n").length - 1;
    log(`Manifest: ${DOCS} documents, ${lines} lines, ${Math.round(clean.length / 1024)} KiB`);

    // ------------------------------------------------------------ cold: fresh cache, new connection
    const cold: Array<{ total: number; fetch: number; parse: number; check: number }> = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      forgetSchemas();
      const client = clientFromKubeconfig("bench", kubeconfig);
      const schemas = schemasForCluster(`bench-cold-${i}`, client);
      // OpenAPI alone first, on its own fresh cache, to split the cold total.
      const fetchOnly = await timed(() => Promise.all([schemas.lookup("v1", "ConfigMap"), schemas.lookup("apps/v1", "Deployment")]));
      forgetSchemas();
      closeConnections(client);
      const client2 = clientFromKubeconfig("bench", kubeconfig);
      const fresh = schemasForCluster(`bench-cold-${i}`, client2);
      const t = await timed(() => validate(clean, fresh));
      if (t.value.markers.length) throw new Error(`clean manifest produced markers: ${JSON.stringify(t.value.markers.slice(0, 3))}`);
      cold.push({ total: t.ms, fetch: fetchOnly.ms, parse: t.value.parseMs, check: t.value.checkMs });
      closeConnections(client2);
      log(`Cold run ${i + 1}/${COLD_RUNS}: ${fmtMs(t.ms)} (OpenAPI fetch alone ${fmtMs(fetchOnly.ms)})`);
    }

    // ------------------------------------------------------------ warm
    const client = clientFromKubeconfig("bench", kubeconfig);
    const schemas = schemasForCluster("bench-warm", client);
    await validate(clean, schemas);
    const parses: number[] = [];
    const checks: number[] = [];
    const warm = await sample(
      async () => {
        const r = await validate(clean, schemas);
        parses.push(r.parseMs);
        checks.push(r.checkMs);
      },
      RUNS,
      2,
      ms,
    );
    log(`Warm: median ${fmtMs(warm.median)}, p95 ${fmtMs(warm.p95)} over ${RUNS} runs`);
    const found = (await validate(faulty, schemas)).markers;
    // What the validate route runs: documents screened with js-yaml, only suspects parsed with positions.
    const lookup = (v: string, k: string) => schemas.lookup(v, k);
    const screenedFound = (await validateContent(faulty, { file: "manifest-mistakes.yaml" }, lookup)).markers;
    if (JSON.stringify(screenedFound) !== JSON.stringify([...found].sort((a, b) => a.line - b.line || a.column - b.column)))
      throw new Error(`screened markers differ: ${JSON.stringify(screenedFound.slice(0, 5))} vs ${JSON.stringify(found.slice(0, 5))}`);
    const screened = await sample(
      async () => {
        const r = await validateContent(clean, { file: "manifest.yaml" }, lookup);
        if (r.markers.length) throw new Error("clean manifest produced markers (screened)");
      },
      RUNS,
      2,
      ms,
    );
    log(`Warm, as the validate route runs it: median ${fmtMs(screened.median)}, p95 ${fmtMs(screened.p95)} over ${RUNS} runs`);

    // ------------------------------------------------------------ baseline: kubectl
    const kubectlArgs = (file: string) => ["--kubeconfig", tb.kubeconfigPath, "apply", "--dry-run=server", "--validate=strict", "-n", "default", "-f", file];
    log("kubectl warm-up (discovery cache)");
    const kWarm = await run(KUBECTL, kubectlArgs(cleanFile));
    if (kWarm.code !== 0) throw new Error(`kubectl apply --dry-run=server failed: ${kWarm.stderr.slice(0, 2000)}`);
    const kubectlRuns: number[] = [];
    for (let i = 0; i < KUBECTL_RUNS; i++) {
      const k = await run(KUBECTL, kubectlArgs(cleanFile));
      kubectlRuns.push(k.ms);
      log(`kubectl run ${i + 1}/${KUBECTL_RUNS}: ${fmtMs(k.ms)}`);
    }
    const kFaulty = await run(KUBECTL, kubectlArgs(faultyFile));
    const kubectlErrors = kFaulty.stderr.split("\n").filter((l) => /^Error|error/i.test(l) && l.trim());

    // ------------------------------------------------------------ report
    const coldTotal = stats(
      cold.map((c) => c.total),
      ms,
    );
    const coldFetch = stats(
      cold.map((c) => c.fetch),
      ms,
    );
    const kubectl = stats(kubectlRuns, ms);
    const out: string[] = [];
    out.push(`Editor validation of a ${lines}-line manifest (${DOCS} objects: ConfigMaps + Deployments), Kubernetes ${tb.version}`);
    out.push(
      `Machine: ${os.cpus()[0]?.model} x${os.cpus().length}, Node ${process.version}, load ${loadAtStart.join(" / ")} at start, ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" / ")} at end`,
    );
    out.push("");
    out.push(
      table(
        ["Run", "Median", "p95", "Min", "Runs", "vs kubectl"],
        [
          [
            "Tideline cold: /openapi/v3 + 2 group-version docs, parse, check",
            fmtMs(coldTotal.median),
            fmtMs(coldTotal.p95),
            fmtMs(coldTotal.min),
            coldTotal.runs,
            ratio(coldTotal.median, kubectl.median),
          ],
          [
            "  of which the OpenAPI fetch alone (index + core/v1 + apps/v1)",
            fmtMs(coldFetch.median),
            fmtMs(coldFetch.p95),
            fmtMs(coldFetch.min),
            coldFetch.runs,
            "",
          ],
          [
            "Tideline warm, the validate route's check (documents screened, suspects parsed with positions)",
            fmtMs(screened.median),
            fmtMs(screened.p95),
            fmtMs(screened.min),
            screened.runs,
            ratio(screened.median, kubectl.median),
          ],
          [
            "Tideline warm, whole file parsed with positions (before): parse + YAML + schema markers",
            fmtMs(warm.median),
            fmtMs(warm.p95),
            fmtMs(warm.min),
            warm.runs,
            ratio(warm.median, kubectl.median),
          ],
          [
            "  of which YAML parse (yaml, LineCounter)",
            fmtMs(stats(parses, ms).median),
            fmtMs(stats(parses, ms).p95),
            fmtMs(stats(parses, ms).min),
            parses.length,
            "",
          ],
          [
            "  of which schema check (cached, compiled)",
            fmtMs(stats(checks, ms).median),
            fmtMs(stats(checks, ms).p95),
            fmtMs(stats(checks, ms).min),
            checks.length,
            "",
          ],
          ["Baseline: kubectl apply --dry-run=server --validate=strict -f", fmtMs(kubectl.median), fmtMs(kubectl.p95), fmtMs(kubectl.min), kubectl.runs, "1x"],
        ],
      ),
    );
    const mb = (clean.length / 1024 / 1024).toFixed(1);
    out.push(
      `Target (validate route < 1 s for a 5 MB file; this file ${mb} MB): ${screened.median < 1000 ? "met" : "MISSED"}, ${ratio(warm.median, screened.median)} faster than the whole-file check in this run; kubectl warm-up run ${fmtMs(kWarm.ms)}; schema cache: ${JSON.stringify(schemaCacheStats())}`,
    );
    out.push("");
    out.push("Same file with three planted mistakes (string replicas, misspelt field, bad enum value):");
    for (const m of found) out.push(`  Tideline  ${m.line}:${m.column} ${m.severity} ${m.message}`);
    for (const l of kubectlErrors) out.push(`  kubectl   ${l.length > 220 ? `${l.slice(0, 220)}…` : l}`);
    out.push(`  kubectl exit code ${kFaulty.code}`);
    console.log(out.join("\n"));
    writeResults(ROOT, "editor-validate", {
      config: { LINES, DOCS, RUNS, COLD_RUNS, KUBECTL_RUNS, lines },
      kubernetes: tb.version,
      loadAtStart,
      cold: {
        total: coldTotal,
        openApiFetch: coldFetch,
        runs: cold.map((c) => ({ total: ms(c.total), fetch: ms(c.fetch), parse: ms(c.parse), check: ms(c.check) })),
      },
      warm: { screened, total: warm, parse: stats(parses, ms), check: stats(checks, ms) },
      baseline: { command: `kubectl ${kubectlArgs("<file>").slice(2).join(" ")}`, stats: kubectl, warmupMs: ms(kWarm.ms) },
      mistakes: { tideline: found, kubectl: kubectlErrors, kubectlExit: kFaulty.code },
    });
  } finally {
    await runCleanups(cleanups, tmp, KEEP);
  }
}

await main();
// undici keep-alive sockets would otherwise hold the process open for a few seconds.
process.exit(0);

#!/usr/bin/env node
// Tideline test bed launcher: builds and runs testbed/ (a real kube-apiserver
// with embedded etcd, kube-controller-manager and a node/pod simulator, all in
// one Go process), and installs the kustomize and helm CLIs.
//
//   node scripts/testbed.mjs build                 build (cached) into .tideline/bin/testbed
//   node scripts/testbed.mjs start [--dir D] [--port P] [--etcd-port P] [--nodes N] [--fresh]
//                                                  build if needed, start, stay in the foreground
//   node scripts/testbed.mjs tools                 install kustomize and helm into .tideline/bin
//
// Library use (plain ESM, no dependencies):
//   import { buildTestbed, startTestbed, installTools } from './scripts/testbed.mjs'
//   const tb = await startTestbed({ dir })   // -> { kubeconfigPath, viewerKubeconfigPath, server, ... , stop }
//   await tb.stop()

import { spawn, execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const TESTBED_SRC = path.join(ROOT, "testbed");
export const BIN_DIR = path.join(ROOT, ".tideline", "bin");
export const TESTBED_BIN = path.join(BIN_DIR, "testbed");
export const KUSTOMIZE_BIN = path.join(BIN_DIR, "kustomize");
export const HELM_BIN = path.join(BIN_DIR, "helm");
const HASH_FILE = path.join(BIN_DIR, "testbed.hash");

// kustomize v5.8.3 needs Go 1.27; v5.8.2 is the newest that builds with Go 1.26.
export const KUSTOMIZE_VERSION = process.env.TIDELINE_KUSTOMIZE_VERSION || "v5.8.2";
export const HELM_VERSION = process.env.TIDELINE_HELM_VERSION || "v3.22.0";

const log = (...a) => process.stderr.write(`[testbed] ${a.join(" ")}\n`);

function goEnv(extra = {}) {
  return { ...process.env, GOFLAGS: "-mod=mod", ...extra };
}

function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 64 << 20, ...opts }, (err, stdout, stderr) => {
      if (err) {
        err.message += `\n${stderr}`;
        reject(err);
      } else resolve({ stdout, stderr });
    });
  });
}

/** Kubernetes version the test bed is built from (read from testbed/go.mod). */
export function kubernetesVersion() {
  const mod = readFileSync(path.join(TESTBED_SRC, "go.mod"), "utf8");
  const m = mod.match(/^\s*k8s\.io\/kubernetes\s+(v\d+\.\d+\.\d+)/m);
  if (!m) throw new Error("testbed/go.mod does not require k8s.io/kubernetes");
  return m[1];
}

function ldflags() {
  const v = kubernetesVersion();
  const [maj, min] = v.slice(1).split(".");
  const out = [];
  for (const pkg of ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"]) {
    out.push(`-X ${pkg}.gitVersion=${v}`, `-X ${pkg}.gitMajor=${maj}`, `-X ${pkg}.gitMinor=${min}`, `-X ${pkg}.gitTreeState=clean`);
  }
  return ["-s", "-w", ...out].join(" ");
}

function sourceHash() {
  const h = createHash("sha256");
  const files = readdirSync(TESTBED_SRC)
    .filter((f) => f.endsWith(".go") || f === "go.mod" || f === "go.sum")
    .sort();
  for (const f of files) {
    h.update(f + "\0");
    h.update(readFileSync(path.join(TESTBED_SRC, f)));
    h.update("\0");
  }
  h.update(ldflags());
  return h.digest("hex");
}

/**
 * Builds .tideline/bin/testbed unless it is up to date (hash of testbed/*.go,
 * go.mod and go.sum). A cold build takes many minutes on 2 cores; progress is
 * printed to stderr. Resolves to { path, cached, seconds }.
 */
export async function buildTestbed({ quiet = false, force = false } = {}) {
  const say = quiet ? () => {} : log;
  const hash = sourceHash();
  if (!force && existsSync(TESTBED_BIN) && existsSync(HASH_FILE) && readFileSync(HASH_FILE, "utf8").trim() === hash) {
    return { path: TESTBED_BIN, cached: true, seconds: 0 };
  }
  mkdirSync(BIN_DIR, { recursive: true });
  const t0 = Date.now();
  let total = 0;
  try {
    const { stdout } = await run("go", ["list", "-deps", "."], { cwd: TESTBED_SRC, env: goEnv() });
    total = stdout.split("\n").filter(Boolean).length;
  } catch {
    /* progress without a total */
  }
  say(`building testbed (k8s ${kubernetesVersion()}, ${total || "?"} packages; a cold build takes several minutes)`);
  const tmp = `${TESTBED_BIN}.tmp-${process.pid}`;
  await new Promise((resolve, reject) => {
    const child = spawn("go", ["build", "-v", "-trimpath", "-ldflags", ldflags(), "-o", tmp, "."], {
      cwd: TESTBED_SRC,
      env: goEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let n = 0;
    let last = "";
    let lastPrint = 0;
    const errLines = [];
    let buf = "";
    const onData = (d) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (/^[\w.\-]+(\/[\w.\-~+]+)*$/.test(line.trim())) {
          n++;
          last = line.trim();
        } else if (line.trim()) errLines.push(line);
        const now = Date.now();
        if (now - lastPrint > 5000) {
          lastPrint = now;
          const pct = total ? ` (${Math.min(100, Math.round((100 * n) / total))}%)` : "";
          say(`  ${n}${total ? "/" + total : ""} packages compiled${pct}, ${Math.round((now - t0) / 1000)}s: ${last}`);
        }
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`go build failed (exit ${code}):\n${errLines.slice(-60).join("\n")}`));
    });
  }).catch((e) => {
    rmSync(tmp, { force: true });
    throw e;
  });
  renameSync(tmp, TESTBED_BIN);
  writeFileSync(HASH_FILE, hash + "\n");
  const seconds = Math.round((Date.now() - t0) / 100) / 10;
  say(`built ${path.relative(ROOT, TESTBED_BIN)} in ${seconds}s`);
  return { path: TESTBED_BIN, cached: false, seconds };
}

function readyz(server, dir) {
  const pki = path.join(dir, "pki");
  return new Promise((resolve) => {
    const req = https.get(
      `${server}/readyz`,
      {
        ca: readFileSync(path.join(pki, "ca.crt")),
        cert: readFileSync(path.join(pki, "admin.crt")),
        key: readFileSync(path.join(pki, "admin.key")),
        timeout: 5000,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on("error", () => resolve(false));
    req.on("timeout", () => {
      req.destroy();
      resolve(false);
    });
  });
}

/**
 * Starts a test bed (building it first if needed) and resolves once /readyz
 * answers 200 with the admin client certificate.
 *
 * @param {object} [opts]
 * @param {string} [opts.dir]       state dir (certs, etcd data, kubeconfigs, testbed.log); default: a temp dir removed on stop
 * @param {number} [opts.port]      apiserver port (default: a free one)
 * @param {number} [opts.etcdPort]  etcd client port (default: a free one)
 * @param {number} [opts.nodes]     number of simulated nodes (default 1)
 * @param {boolean} [opts.fresh]    wipe etcd data in dir first
 * @param {string[]} [opts.args]    extra arguments for the testbed binary
 * @param {number} [opts.timeoutMs] readiness timeout (default 180000)
 * @param {boolean} [opts.quiet]    no progress output
 * @returns {Promise<{kubeconfigPath: string, viewerKubeconfigPath: string, server: string, dir: string|null,
 *   pid: number, version: string, nodes: string[], logFile: string|null, stop: () => Promise<void>}>}
 */
export async function startTestbed({ dir, port, etcdPort, nodes, fresh, args = [], timeoutMs = 180000, quiet = false } = {}) {
  await buildTestbed({ quiet });
  const argv = ["--exit-with-parent"];
  if (dir) {
    dir = path.resolve(dir);
    mkdirSync(dir, { recursive: true });
    argv.push("--dir", dir);
  }
  if (port) argv.push("--port", String(port));
  if (etcdPort) argv.push("--etcd-port", String(etcdPort));
  if (nodes) argv.push("--nodes", String(nodes));
  if (fresh) argv.push("--fresh");
  argv.push(...args);

  const child = spawn(TESTBED_BIN, argv, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d.toString();
    if (stderr.length > 65536) stderr = stderr.slice(-65536);
  });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  let hasExited = false;
  exited.then(() => (hasExited = true));
  const killOnExit = () => {
    if (!hasExited) child.kill("SIGKILL");
  };
  process.on("exit", killOnExit);

  const ready = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`testbed not ready after ${timeoutMs}ms\n${stderr}`)), timeoutMs);
    child.stdout.on("data", (d) => {
      out += d.toString();
      let i;
      while ((i = out.indexOf("\n")) >= 0) {
        const line = out.slice(0, i).trim();
        out = out.slice(i + 1);
        if (!line.startsWith("{")) continue;
        try {
          const msg = JSON.parse(line);
          if (msg.ready) {
            clearTimeout(timer);
            resolve(msg);
          }
        } catch {
          /* not ours */
        }
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`testbed exited before ready (code ${code}, signal ${signal}):\n${stderr}`));
    });
  }).catch((e) => {
    killOnExit();
    process.off("exit", killOnExit);
    throw e;
  });
  child.stdout.resume();

  const deadline = Date.now() + 30000;
  while (!(await readyz(ready.server, ready.dir))) {
    if (hasExited || Date.now() > deadline) {
      killOnExit();
      process.off("exit", killOnExit);
      throw new Error(`testbed /readyz did not answer 200\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  let stopping;
  const stop = () => {
    stopping ??= (async () => {
      if (!hasExited) {
        child.kill("SIGTERM");
        const t = setTimeout(() => killOnExit(), 15000);
        await exited;
        clearTimeout(t);
      }
      process.off("exit", killOnExit);
    })();
    return stopping;
  };

  return {
    kubeconfigPath: ready.kubeconfig,
    viewerKubeconfigPath: ready.viewerKubeconfig,
    server: ready.server,
    dir: dir ?? null, // null: a temporary dir that the test bed removes on stop
    pid: ready.pid,
    version: ready.version,
    nodes: ready.nodes,
    logFile: dir ? path.join(dir, "testbed.log") : null,
    exited,
    stop,
  };
}

async function installedVersionOk(bin, version) {
  const stamp = `${bin}.version`;
  return existsSync(bin) && existsSync(stamp) && readFileSync(stamp, "utf8").trim() === version;
}

async function goInstall(pkg, version, bin, quiet) {
  if (await installedVersionOk(bin, version)) {
    if (!quiet) log(`${path.basename(bin)} ${version} already installed`);
    return { path: bin, version, cached: true };
  }
  mkdirSync(BIN_DIR, { recursive: true });
  if (!quiet) log(`go install ${pkg}@${version} ...`);
  const t0 = Date.now();
  const ld =
    path.basename(bin) === "helm"
      ? ["-ldflags", `-X helm.sh/helm/v3/internal/version.version=${version} -X helm.sh/helm/v3/internal/version.gitTreeState=clean`]
      : [];
  await run("go", ["install", "-trimpath", ...ld, `${pkg}@${version}`], { cwd: ROOT, env: goEnv({ GOBIN: BIN_DIR, GOFLAGS: "" }) });
  writeFileSync(`${bin}.version`, version + "\n");
  if (!quiet) log(`installed ${path.relative(ROOT, bin)} ${version} in ${Math.round((Date.now() - t0) / 1000)}s`);
  return { path: bin, version, cached: false };
}

/** Installs kustomize and helm into .tideline/bin (cached by version stamp). */
export async function installTools({ quiet = false } = {}) {
  const kustomize = await goInstall("sigs.k8s.io/kustomize/kustomize/v5", KUSTOMIZE_VERSION, KUSTOMIZE_BIN, quiet);
  const helm = await goInstall("helm.sh/helm/v3/cmd/helm", HELM_VERSION, HELM_BIN, quiet);
  return { kustomize: kustomize.path, helm: helm.path };
}

function parseFlags(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = a.match(/^--([\w-]+)(?:=(.*))?$/);
    if (!m) throw new Error(`unexpected argument ${a}`);
    const key = m[1];
    if (key === "fresh" || key === "force") {
      o[key] = true;
      continue;
    }
    const v = m[2] ?? argv[++i];
    if (v === undefined) throw new Error(`--${key} needs a value`);
    o[key] = v;
  }
  return o;
}

async function main(argv) {
  const [cmd, ...rest] = argv;
  if (cmd === "build") {
    const o = parseFlags(rest);
    const r = await buildTestbed({ force: !!o.force });
    if (r.cached) log(`${path.relative(ROOT, r.path)} is up to date`);
    return;
  }
  if (cmd === "tools") {
    const r = await installTools();
    console.log(JSON.stringify(r));
    return;
  }
  if (cmd === "start") {
    const o = parseFlags(rest);
    const dir = o.dir ?? path.join(ROOT, ".tideline", "testbed");
    const t0 = Date.now();
    const tb = await startTestbed({
      dir,
      port: o.port && Number(o.port),
      etcdPort: o["etcd-port"] && Number(o["etcd-port"]),
      nodes: o.nodes && Number(o.nodes),
      fresh: !!o.fresh,
    });
    log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)}s: ${tb.server} (Kubernetes ${tb.version}, pid ${tb.pid})`);
    log(`viewer kubeconfig: ${tb.viewerKubeconfigPath}`);
    log(`log: ${tb.logFile}`);
    log(`try: kubectl --kubeconfig ${tb.kubeconfigPath} get nodes`);
    console.log(tb.kubeconfigPath);
    let stopping = false;
    const onSignal = async (sig) => {
      if (stopping) return;
      stopping = true;
      log(`${sig}: stopping`);
      await tb.stop();
      process.exit(0);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    const { code, signal } = await tb.exited;
    if (!stopping) {
      log(`testbed exited unexpectedly (code ${code}, signal ${signal})`);
      process.exit(1);
    }
    return;
  }
  console.error("usage: node scripts/testbed.mjs build [--force] | start [--dir D] [--port P] [--etcd-port P] [--nodes N] [--fresh] | tools");
  process.exit(2);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(`[testbed] ${e.message}`);
    process.exit(1);
  });
}

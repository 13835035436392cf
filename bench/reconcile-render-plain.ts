// Render experiment: lib/render/render.ts renders a plain-YAML folder by calling
// git.readBlob({ filepath }) once per file, and every such call resolves the path from the
// commit again (commit -> root tree -> each folder tree), so a folder of N files parses its
// N-entry tree N times. This measures render() (cold: a new commit each run, so its cache
// misses) against reading the same blobs by the oids of one tree walk, on a generated folder.
//
//   npx tsx --conditions=react-server bench/reconcile-render-plain.ts            # 1,000 files
//   BENCH_FILES=3000 npx tsx --conditions=react-server bench/reconcile-render-plain.ts
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import git from "isomorphic-git";
import { stringify } from "yaml";
import { runGit, commitFile } from "../support/demo-repo";
import { render } from "../lib/render/render";
import { defaultTools } from "../lib/render/tools";
import { parseManifests } from "../lib/render/manifest";

const FILES = Number(process.env.BENCH_FILES ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const log = (msg: string) => process.stderr.write(`\x1b[36m▸\x1b[0m ${msg}\n`);
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

/** The alternative: one tree walk, blobs read by oid (no path resolution per file). */
async function renderPlainByOid(gitdir: string, commit: string, dir: string) {
  const cache = {};
  const files: Array<{ path: string; oid: string }> = [];
  async function walk(rel: string, oid?: string) {
    const { tree } = await git.readTree({ fs, gitdir, oid: oid ?? commit, filepath: oid ? undefined : rel || undefined, cache });
    for (const e of tree) {
      const p = rel ? `${rel}/${e.path}` : e.path;
      if (e.type === "tree") await walk(p, e.oid);
      else if (e.type === "blob" && /\.(ya?ml|json)$/i.test(e.path)) files.push({ path: p, oid: e.oid });
    }
  }
  await walk(dir);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const out = [];
  for (const f of files) {
    const { blob } = await git.readBlob({ fs, gitdir, oid: f.oid, cache });
    out.push(...parseManifests(Buffer.from(blob).toString("utf8"), f.path));
  }
  return out;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), "tideline-bench-render-"));
chmodSync(tmp, 0o755);
try {
  const src = path.join(tmp, "src");
  mkdirSync(path.join(src, "apps/bench"), { recursive: true });
  for (let i = 0; i < FILES; i++) {
    writeFileSync(
      path.join(src, "apps/bench", `cm-${String(i).padStart(4, "0")}.yaml`),
      stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${i}` }, data: { LOG_LEVEL: "info", n: String(i) } }),
    );
  }
  const author = { GIT_AUTHOR_NAME: "b", GIT_AUTHOR_EMAIL: "b@example.com", GIT_COMMITTER_NAME: "b", GIT_COMMITTER_EMAIL: "b@example.com" };
  await runGit(["init", "-q", "-b", "main", src]);
  await runGit(["-C", src, "add", "-A"]);
  await runGit(["-C", src, "commit", "-q", "-m", "init"], { env: author });
  const bare = path.join(tmp, "bench.git");
  await runGit(["clone", "-q", "--bare", src, bare]);
  await runGit([`--git-dir=${bare}`, "gc", "-q"]); // packed, as a fetched mirror is

  const libTimes: number[] = [];
  const oidTimes: number[] = [];
  let objects = 0;
  for (let r = 0; r < RUNS; r++) {
    // A new commit per run: render()'s own cache is keyed by commit, so every run is a miss.
    const commit = await commitFile(bare, { branch: "main", path: "README.md", content: `run ${r}\n`, message: `run ${r}` });
    const t0 = performance.now();
    const a = await render({ gitdir: bare, commit, path: "apps/bench", renderer: "plain", workDir: path.join(tmp, "work"), tools: defaultTools() });
    libTimes.push(performance.now() - t0);
    const t1 = performance.now();
    const b = await renderPlainByOid(bare, commit, "apps/bench");
    oidTimes.push(performance.now() - t1);
    if (a.manifests.length !== b.length) throw new Error(`mismatch: ${a.manifests.length} vs ${b.length}`);
    objects = b.length;
  }
  log("done");
  console.log(`\nPlain render of one folder with ${FILES} files (${objects} objects), packed repository, ${RUNS} runs, a new commit each run`);
  console.log(`  lib render() (readBlob by filepath per file): median ${median(libTimes).toFixed(1)} ms  [${libTimes.map((t) => t.toFixed(0)).join(", ")}]`);
  console.log(`  one tree walk + readBlob by oid:              median ${median(oidTimes).toFixed(1)} ms  [${oidTimes.map((t) => t.toFixed(0)).join(", ")}]`);
  console.log(`  ratio: ${(median(libTimes) / median(oidTimes)).toFixed(1)}x`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(0);

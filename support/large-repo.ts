// Generates big synthetic bare repositories for indexing benchmarks and stress tests.
// Uses one `git fast-import` stream, which writes 10k commits in seconds (vs. minutes via `git commit`).
import { execFile, spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";

const AUTHORS = [
  "Maya Chen <maya.chen@example.com>",
  "Luis Ortega <luis.ortega@example.com>",
  "Priya Raman <priya.raman@example.com>",
  "Jonas Weber <jonas.weber@example.com>",
];
const ENVS = ["dev", "staging", "prod"];
// Fixed epoch so equal inputs give byte-identical repositories (and equal SHAs).
const START_EPOCH = Date.UTC(2024, 0, 1) / 1000;
const COMMIT_SPACING_S = 300;
// Files are created in batches of this size by the first commits, then modified 1-5 at a time.
const CREATE_BATCH = 100;

// Ignore the machine's git config so output never depends on who runs it.
// The malloc padding stops glibc from trimming the heap after every object, which made
// fast-import spend most of its time in brk() syscalls (5x slower).
const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: os.devNull, MALLOC_TOP_PAD_: String(64 << 20) };

function git(gitDir: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("git", [`--git-dir=${gitDir}`, ...args], { env: GIT_ENV, maxBuffer: 256 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`git ${args.join(" ")} failed: ${stderr || err.message}`)) : resolve(stdout.trim()),
    );
  });
}

/** mulberry32: tiny, fast, seedable PRNG; Math.random can't be seeded. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Balanced fan-out (~sqrt(files/3) apps, as many files per env dir) keeps trees small to rewrite. */
function filePaths(files: number): string[] {
  const perEnv = Math.max(4, Math.ceil(Math.sqrt(files / ENVS.length)));
  return Array.from({ length: files }, (_, i) => {
    const app = String(Math.floor(i / (perEnv * ENVS.length))).padStart(3, "0");
    return `apps/app-${app}/overlays/${ENVS[i % ENVS.length]}/file-${String(i).padStart(4, "0")}.yaml`;
  });
}

function fileContent(file: string, revision: number): string {
  const name = path.basename(file, ".yaml");
  const env = path.basename(path.dirname(file));
  const app = file.split("/")[1]!;
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${app}-${name}
  namespace: ${app}-${env}
data:
  revision: "${revision}"
  replicas: "${1 + (revision % 5)}"
`;
}

/** One fast-import commit; `n` is the global commit number (0-based), which also dates it. */
function commitBlock(n: number, message: string, changes: string[], from?: string): string {
  const who = AUTHORS[n % AUTHORS.length]!;
  const when = `${START_EPOCH + n * COMMIT_SPACING_S} +0000`;
  const body = changes
    .map((file) => {
      const content = fileContent(file, n);
      return `M 100644 inline ${file}\ndata ${Buffer.byteLength(content)}\n${content}\n`;
    })
    .join("");
  return `commit refs/heads/main\nauthor ${who} ${when}\ncommitter ${who} ${when}\ndata ${Buffer.byteLength(message)}\n${message}\n${from ? `from ${from}\n` : ""}${body}\n`;
}

/** Commits [start, start+count) touching 1-5 random files out of `paths`. */
function modifyCommits(paths: string[], start: number, count: number, rand: () => number, from?: string): string[] {
  const blocks: string[] = [];
  for (let n = start; n < start + count; n++) {
    const touched = new Set<string>();
    const k = 1 + Math.floor(rand() * 5);
    while (touched.size < Math.min(k, paths.length)) touched.add(paths[Math.floor(rand() * paths.length)]!);
    const files = [...touched].sort();
    const first = files[0]!.split("/");
    const message = `${first[1]}: update ${first[3]} config (${files.length} file${files.length > 1 ? "s" : ""})`;
    blocks.push(commitBlock(n, message, files, n === start ? from : undefined));
  }
  return blocks;
}

function fastImport(gitDir: string, stream: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = [`--git-dir=${gitDir}`, "fast-import", "--quiet", "--done"];
    const child = spawn("git", args, { env: GIT_ENV, stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`git fast-import failed (${code}): ${stderr}`))));
    child.stdin.on("error", () => {}); // surfaced via the exit code instead
    child.stdin.end([...stream, "done\n"].join(""));
  });
}

export async function createLargeRepository(bareDir: string, opts: { commits: number; files: number; seed?: number }): Promise<{ headSha: string }> {
  if (opts.commits < 1 || opts.files < 1) throw new Error("commits and files must be >= 1");
  const gitDir = path.resolve(bareDir);
  await git(gitDir, "init", "-q", "--bare", "-b", "main");
  await git(gitDir, "config", "http.receivepack", "true");
  const paths = filePaths(opts.files);
  // Spread file creation over several commits, but never more commits than requested.
  const creators = Math.min(opts.commits, Math.ceil(opts.files / CREATE_BATCH));
  const stream: string[] = [];
  for (let c = 0; c < creators; c++) {
    const batch = paths.slice(Math.floor((c * opts.files) / creators), Math.floor(((c + 1) * opts.files) / creators));
    stream.push(commitBlock(c, `add ${batch.length} config files (batch ${c + 1}/${creators})`, batch));
  }
  const rand = prng(opts.seed ?? 1);
  stream.push(...modifyCommits(paths, creators, opts.commits - creators, rand));
  await fastImport(gitDir, stream);
  return { headSha: await git(gitDir, "rev-parse", "refs/heads/main") };
}

/** Adds `n` commits on top of main, modifying files already in the tree. */
export async function appendCommits(bareDir: string, n: number, opts: { seed?: number } = {}): Promise<{ headSha: string }> {
  const gitDir = path.resolve(bareDir);
  const existing = Number(await git(gitDir, "rev-list", "--count", "refs/heads/main"));
  const paths = (await git(gitDir, "ls-tree", "-r", "--name-only", "refs/heads/main")).split("\n").filter(Boolean);
  if (paths.length === 0) throw new Error("main has no files to modify");
  // Mixing in the current length keeps successive appends distinct yet reproducible.
  const rand = prng(((opts.seed ?? 1) * 2654435761 + existing) >>> 0);
  await fastImport(gitDir, modifyCommits(paths, existing, n, rand, "refs/heads/main^0"));
  return { headSha: await git(gitDir, "rev-parse", "refs/heads/main") };
}

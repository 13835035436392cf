// Image polling cost: 100 image repositories with many tags in a real registry (Distribution 2.8),
// one image policy each, and one poll cycle of Tideline's poller (claim with FOR UPDATE SKIP LOCKED,
// list tags, choose, record): total time, registry requests (and per minute at the default interval)
// and tags/second. Baseline in the same run: curl of /v2/<name>/tags/list for the same repositories.
//
//   npx tsx --conditions=react-server bench/image-polling.ts                                 # 100 repositories x 120 tags
//   BENCH_REPOS=20 BENCH_TAGS=40 npx tsx --conditions=react-server bench/image-polling.ts      # quick run
//
// Optional env: BENCH_REPOS (100), BENCH_TAGS (120), BENCH_CONCURRENCY (4, the poller's default),
// BENCH_CHECK_SAMPLES (50), BENCH_KEEP=1, DATABASE_URL (a fresh database in that server).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { log, runCleanups, sample, table, timed, writeResults } from "./lib/report";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const REPOS = Number(process.env.BENCH_REPOS ?? 100);
const TAGS = Number(process.env.BENCH_TAGS ?? 120);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const CHECK_SAMPLES = Number(process.env.BENCH_CHECK_SAMPLES ?? 50);
const DEFAULT_INTERVAL_S = 300;
const KEEP = process.env.BENCH_KEEP === "1";

const ms = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;
const fmtMs = (n: number) =>
  !Number.isFinite(n) ? "n/a" : n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${ms(n)} ms`;

function run(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${cmd} failed (${code}): ${err.slice(0, 500)}`))));
  });
}

/** Tag names: mostly semantic versions, some CI-style tags the semver policy must skip. */
function tagNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    i % 5 === 4 ? `sha-${((i * 2654435761) % 2 ** 32).toString(16).padStart(8, "0")}` : `1.${Math.floor(i / 10)}.${i % 10}`,
  );
}

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "tideline-bench-polling-"));
  chmodSync(tmp, 0o755);
  const cleanups: Array<() => Promise<void> | void> = [];
  const loadAtStart = os.loadavg().map(round2);
  try {
    const { freshDatabase } = await import("../support/stack");
    const { startRegistry } = await import("../support/registry");
    log(process.env.DATABASE_URL ? "Using DATABASE_URL (fresh database)" : "Starting embedded PostgreSQL");
    const fresh = await freshDatabase({ dataDir: tmp, prefix: "tideline_bench_polling" });
    cleanups.push(() => fresh.stop());
    Object.assign(process.env, { DATABASE_URL: fresh.url, TIDELINE_SECRET_KEY: randomBytes(32).toString("base64"), TIDELINE_DATA_DIR: path.join(tmp, "data") });
    const registry = await startRegistry();
    cleanups.push(() => registry.stop());

    // One real image per repository, then every other tag points at its manifest (one PUT per tag).
    const repos = Array.from({ length: REPOS }, (_, i) => `bench/app-${String(i).padStart(3, "0")}`);
    const tags = tagNames(TAGS);
    log(`Pushing ${REPOS} repositories x ${TAGS} tags to ${registry.host}`);
    const populate = await timed(() =>
      inParallel(repos, 8, async (repo) => {
        await registry.pushImage(repo, tags[0]!, { content: repo });
        const res = await fetch(`${registry.url}/v2/${repo}/manifests/${tags[0]}`, { headers: { Accept: "application/vnd.oci.image.manifest.v1+json" } });
        const manifest = Buffer.from(await res.arrayBuffer());
        for (const tag of tags.slice(1)) {
          const put = await fetch(`${registry.url}/v2/${repo}/manifests/${tag}`, {
            method: "PUT",
            headers: { "Content-Type": "application/vnd.oci.image.manifest.v1+json" },
            body: manifest,
          });
          if (put.status !== 201) throw new Error(`tagging ${repo}:${tag} answered ${put.status}`);
          await put.body?.cancel();
        }
      }),
    );
    log(`Registry filled in ${fmtMs(populate.ms)}`);

    const { db } = await import("../lib/db");
    const { imageDeps } = await import("../server/root");
    const { runImageCheck } = await import("../lib/images/image-jobs");
    const { checkPolicy } = await import("../lib/images/automation");
    const { listTags } = await import("../lib/images/registry-client");
    const prisma = db();
    cleanups.push(() => prisma.$disconnect());
    await prisma.imagePolicy.createMany({
      data: repos.map((repo, i) => ({
        name: `app-${i}`,
        image: `${registry.host}/${repo}`,
        policy: { type: "semver", range: ">=1.0.0" },
        intervalSeconds: DEFAULT_INTERVAL_S,
        nextCheckAt: new Date(0),
      })),
    });
    const page = await listTags({ image: `${registry.host}/${repos[0]}`, pageSize: 10 });
    const paginates = page.requests > 1;

    const cycle = async (label: string) => {
      await prisma.imagePolicy.updateMany({ data: { nextCheckAt: new Date(0) } });
      // What the workers do with the "image.check" jobs the minute sweep queues: CONCURRENCY checks at a time.
      const due = await prisma.imagePolicy.findMany({ select: { id: true } });
      const t = await timed(async () => {
        let next = 0;
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            while (next < due.length) await runImageCheck(imageDeps(), due[next++]!.id);
          }),
        );
        return due.length;
      });
      const rows = await prisma.imagePolicy.findMany({ select: { lastRequests: true, lastError: true, latestTag: true } });
      const requests = rows.reduce((n, r) => n + r.lastRequests, 0);
      const errors = rows.filter((r) => r.lastError).length;
      log(`${label}: ${t.value} policies in ${fmtMs(t.ms)}, ${requests} registry requests, ${errors} errors, newest ${rows[0]?.latestTag}`);
      return { ms: t.ms, checked: t.value, requests, errors };
    };
    const cold = await cycle("Cycle 1 (digests unknown)");
    const steady = await cycle("Cycle 2 (steady state)");
    const ids = (await prisma.imagePolicy.findMany({ select: { id: true } })).map((p) => p.id);
    let k = 0;
    const perCheck = await sample(() => checkPolicy(imageDeps(), ids[k++ % ids.length]!, { trigger: "poll" }), CHECK_SAMPLES, 5, ms);

    log("Baseline: curl of /v2/<name>/tags/list for the same repositories");
    const urls = repos.map((r) => `${registry.url}/v2/${r}/tags/list`);
    const curlOne = await run("curl", ["-sf", ...urls.flatMap((u) => ["-o", "/dev/null", u])]);
    const curlParallel = await run("curl", ["-sf", "--parallel", "--parallel-max", String(CONCURRENCY), ...urls.flatMap((u) => ["-o", "/dev/null", u])]);
    const curlLoop = await timed(async () => {
      for (const u of urls) await run("curl", ["-sf", "-o", "/dev/null", u]);
    });

    const totalTags = REPOS * TAGS;
    const perMin = (requests: number) => round2((requests * 60) / DEFAULT_INTERVAL_S);
    const tagsPerSecond = (t: number) => Math.round(totalTags / (t / 1000));
    const out: string[] = [];
    out.push(`\n## Image polling: ${REPOS} repositories x ${TAGS} tags (${totalTags} tags), one poll cycle\n`);
    out.push(
      `Machine: ${os.cpus().length} CPU(s), load average at start ${loadAtStart.join(" ")}, at end ${os.loadavg().map(round2).join(" ")} (figures move with other load)`,
    );
    out.push(
      `Registry: Debian docker-registry (Distribution 2.8) at ${registry.host}; it ${paginates ? "pages" : "ignores `n` and returns every tag in one answer (no pagination)"}; poller concurrency ${CONCURRENCY}\n`,
    );
    out.push(
      table(
        ["Run", "total", "requests", `requests/min at ${DEFAULT_INTERVAL_S} s`, "tags/s"],
        [
          [
            "Tideline poll cycle 1 (tag list + manifest digest of each newest tag)",
            fmtMs(cold.ms),
            cold.requests,
            perMin(cold.requests),
            tagsPerSecond(cold.ms),
          ],
          ["Tideline poll cycle 2 (steady state: tag list only)", fmtMs(steady.ms), steady.requests, perMin(steady.requests), tagsPerSecond(steady.ms)],
          [`Baseline: curl, one process, ${REPOS} URLs one after another`, fmtMs(curlOne), REPOS, perMin(REPOS), tagsPerSecond(curlOne)],
          [`Baseline: curl --parallel-max ${CONCURRENCY}`, fmtMs(curlParallel), REPOS, perMin(REPOS), tagsPerSecond(curlParallel)],
          [`Baseline: shell loop, ${REPOS} curl processes`, fmtMs(curlLoop.ms), REPOS, perMin(REPOS), tagsPerSecond(curlLoop.ms)],
        ],
      ),
    );
    out.push(
      `\nOne checkPolicy (list ${TAGS} tags, select, record; no environment to write): p50 ${fmtMs(perCheck.p50)}, p95 ${fmtMs(perCheck.p95)} over ${perCheck.runs} runs.`,
    );
    out.push(
      "A Tideline cycle also claims the due policies in Postgres, parses and ranks every tag and writes each policy's result; curl only downloads the lists.",
    );
    console.log(out.join("\n"));
    writeResults(ROOT, "image-polling", {
      config: { REPOS, TAGS, CONCURRENCY, DEFAULT_INTERVAL_S },
      loadAtStart,
      loadAtEnd: os.loadavg().map(round2),
      populateMs: populate.ms,
      paginates,
      cold,
      steady,
      perCheck,
      curl: { oneProcessMs: curlOne, parallelMs: curlParallel, loopMs: curlLoop.ms },
    });
  } finally {
    await runCleanups(cleanups, tmp, KEEP);
  }
}

await main();
process.exit(0);

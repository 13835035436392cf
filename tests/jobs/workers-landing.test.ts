// Issue 19 for promotions: three real worker processes (server/worker-main.ts) on a Postgres of their
// own, one Git server and the test bed, and a kill -9 of the worker landing an approved promotion
// (the "promotion.land" job) at two moments: while its merge is being pushed (the Git server has
// updated the branch, the push has not returned) and after the merge is recorded, while the target's
// sync is being asked for. Another worker finishes the landing within 30 s, exactly once: one merge
// commit on the branch, one sync run of the target, and the promotion never stays merged or syncing.
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../lib/generated/prisma/client";
import { freePort, startEmbeddedPostgres, ensureDatabase, type RunningPostgres } from "../../support/postgres";
import { migrate } from "../../support/stack";
import { runGit } from "../../support/demo-repo";
import { seal, unseal } from "../../lib/crypto/keyring";
import { addRepository } from "../../lib/repositories/add-repository";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { registerCluster } from "../../lib/clusters/manage-clusters";
import { cacheForClusterId } from "../../lib/clusters/registry";
import { createApplication, createEnvironment } from "../../lib/environments/manage-environments";
import { requestSync } from "../../lib/reconcile/request-sync";
import { createUser } from "../../lib/users/manage-users";
import { createPromotion } from "../../lib/promotions/create";
import { decidePromotion } from "../../lib/promotions/decide";
import { previewPromotion } from "../../lib/promotions/preview";
import type { PromotionActor, PromotionDeps } from "../../lib/promotions/deps";
import { signatureOf } from "../../lib/changes/propose-change";
import { JobEngine } from "../../lib/jobs/engine";
import { kubeRequest } from "../../lib/kube/transport";
import { startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { adminClient, eventually, testbedKubeconfig } from "../helpers/testbed";
import { uniqueName } from "../helpers/db";

const WORKERS = ["w1", "w2", "w3"] as const;
const tag = uniqueName("ld").toLowerCase();
const LANDED = ["merged", "syncing", "succeeded", "landed_degraded", "failed"];

let pgDir: string;
let pg0: RunningPostgres;
let url: string;
let prisma: PrismaClient;
let engine: JobEngine;
let git: GitFixtures;
let bare: string;
let work: string;
let control: string;
let repoId: string;
let clusterId: string;
let appId: string;
let deps: PromotionDeps;
let author: PromotionActor;
let approver: PromotionActor;
const workers = new Map<string, ChildProcess>();
const logs = new Map<string, string>();
/** "job started" lines of promotion.land per worker: which worker ran which landing, which attempt. */
const landings: Array<{ worker: string; promotionId: string; attempt: number }> = [];

async function commitAll(message: string, files: Record<string, string>) {
  // Tideline merged promotions meanwhile (none before the first commit).
  if (await runGit(["-C", work, "rev-parse", "-q", "--verify", "HEAD"]).catch(() => ""))
    await runGit(["-C", work, "pull", "-q", "--ff-only", "origin", "main"]);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
    writeFileSync(path.join(work, file), content);
  }
  const env = { GIT_AUTHOR_NAME: "Test", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "Test", GIT_COMMITTER_EMAIL: "t@example.com" };
  await runGit(["-C", work, "add", "-A"]);
  await runGit(["-C", work, "commit", "-q", "-m", message], { env });
  await runGit(["-C", work, "push", "-q", "origin", "main"]);
  return runGit(["-C", work, "rev-parse", "HEAD"]);
}

function startWorkerProcess(name: string) {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "server/worker-main.ts"], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      TIDELINE_JOB_SCHEMA: "tideline_jobs",
      TIDELINE_WORKER_NAME: name,
      TIDELINE_DATA_DIR: path.join(pgDir, "data", name),
      TIDELINE_RECONCILE_INTERVAL_SECONDS: "300",
      TIDELINE_FETCH_INTERVAL_SECONDS: "0",
      TIDELINE_IMAGE_POLL_TICK_SECONDS: "0",
      // The job lines say which worker runs which landing.
      TIDELINE_LOG_LEVEL: "info",
      TIDELINE_LOG_FORMAT: "json",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  logs.set(name, "");
  let partial = "";
  child.stdout!.on("data", (c: Buffer) => {
    logs.set(name, (logs.get(name)! + c.toString()).slice(-20_000));
    const lines = (partial + c.toString()).split("\n");
    partial = lines.pop()!;
    for (const line of lines) {
      if (!line.includes('"promotion.land"')) continue;
      try {
        const o = JSON.parse(line) as { msg?: string; queue?: string; promotionId?: string; attempt?: number };
        if (o.msg === "job started" && o.queue === "promotion.land" && o.promotionId)
          landings.push({ worker: name, promotionId: o.promotionId, attempt: o.attempt ?? 0 });
      } catch {}
    }
  });
  child.stderr!.on("data", (c: Buffer) => logs.set(name, (logs.get(name)! + c.toString()).slice(-20_000)));
  workers.set(name, child);
  return child;
}

function kill9(name: string) {
  workers.get(name)!.kill("SIGKILL");
  workers.delete(name);
}

/** The one worker that started landing this promotion (first attempt). */
async function landingWorker(promotionId: string) {
  const first = await eventually(
    () => landings.filter((l) => l.promotionId === promotionId),
    (l) => l.length > 0,
    10_000,
  );
  expect(first, "workers that started this landing").toHaveLength(1);
  return first[0]!.worker;
}

/** Fetch until this call did the fetch (a worker's fetch after its push may hold the lease). */
async function fetchNow() {
  for (let i = 0; i < 40; i += 1) {
    if ((await fetchRepository({ prisma, mirrorsDir: deps.mirrorsDir, unseal }, repoId)).status === "fetched") return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("could not fetch the repository");
}

const configMap = (version: string) => stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: { version } });

/** dev (version 2) -> prod (version 1, synced, one approval required, synced only by promotions). */
async function pipeline(label: string) {
  const folder = (stage: string) => `${label}/${stage}`;
  await commitAll(`${label}: stages`, { [`${folder("dev")}/settings.yaml`]: configMap("2"), [`${folder("prod")}/settings.yaml`]: configMap("1") });
  await fetchNow();
  const add = (stage: string, extra: { requiredApprovals?: number } = {}) =>
    createEnvironment(prisma, deps.mirrorsDir, appId, {
      name: `${label}-${stage}`,
      branch: "main",
      repositoryId: repoId,
      clusterId,
      renderer: "plain",
      helmValuesFiles: [],
      path: folder(stage),
      namespace: `${tag}-${label}-${stage}`,
      promotionStrategy: "folder",
      ...extra,
    });
  const dev = await add("dev");
  const prod = await add("prod", { requiredApprovals: 1 });
  // The promotion's sync is the target's only sync: nothing else may land the change for it.
  await prisma.environment.update({ where: { id: prod.id }, data: { autoSync: false } });
  // prod runs version 1 before the promotion (a sync by a worker, as a person's "Sync" would ask).
  const { runId } = await requestSync({ prisma, jobs: engine }, prod.id, { actorName: "tester" });
  const first = await eventually(
    () => prisma.syncRun.findUniqueOrThrow({ where: { id: runId } }),
    (r) => !["queued", "running"].includes(r.status),
    60_000,
  );
  expect(first.status, first.error ?? "").toBe("succeeded");
  return { dev, prod, namespace: `${tag}-${label}-prod` };
}

/** Starts the promotion dev -> prod: a change request waiting for one approval. */
async function propose(p: Awaited<ReturnType<typeof pipeline>>) {
  await fetchNow();
  const pv = await previewPromotion(deps, p.dev.id, p.prod.id, signatureOf(author));
  expect(pv.blockers).toEqual([]);
  const promotion = await createPromotion(deps, author, {
    sourceEnvironmentId: p.dev.id,
    targetEnvironmentId: p.prod.id,
    previewHash: pv.previewHash,
    acknowledgeWarnings: true, // dev was never synced
  });
  expect(promotion.status).toBe("awaiting_approval");
  return promotion;
}

/** What the landing left: the promotion, its change request, the merge commits on main and prod's sync runs since the approval. */
async function outcome(promotionId: string, prodId: string, since: Date) {
  const p = await prisma.promotion.findUniqueOrThrow({ where: { id: promotionId }, include: { changeRequest: true, events: true } });
  const main = await runGit([`--git-dir=${bare}`, "rev-parse", "main"]);
  const merges = (await runGit([`--git-dir=${bare}`, "rev-list", "--merges", `${p.targetBaseRevision}..main`])).split("\n").filter(Boolean);
  const runs = await prisma.syncRun.findMany({ where: { environmentId: prodId, queuedAt: { gte: since } } });
  return { p, main, merges, runs };
}

const liveVersion = async (namespace: string) =>
  (await kubeRequest<{ data: Record<string, string> }>(adminClient(), "GET", `/api/v1/namespaces/${namespace}/configmaps/settings`)).data.version;

beforeAll(async () => {
  pgDir = mkdtempSync(path.join(os.tmpdir(), "tideline-landing-"));
  chmodSync(pgDir, 0o755);
  pg0 = await startEmbeddedPostgres({ dataDir: path.join(pgDir, "pg"), port: await freePort(), quiet: true });
  await ensureDatabase(pg0.adminUrl, "landing");
  url = pg0.urlFor("landing");
  migrate(url);
  prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 4 }) });
  // A backend whose client died is ended within a second, even while it waits for a lock (as
  // TCP keepalives would, later): the killed worker's last statement never runs after it.
  await prisma.$executeRawUnsafe(`ALTER DATABASE landing SET client_connection_check_interval = '500ms'`);
  engine = new JobEngine({ connectionString: url });
  await engine.start();

  git = await startGitFixtures();
  bare = path.join(git.root, `${tag}.git`);
  await runGit(["init", "-q", "--bare", "-b", "main", bare]);
  work = path.join(pgDir, "work");
  await runGit(["clone", "-q", bare, work]);
  await commitAll("start", { "README.md": "landing\n" });
  // The Git server holds a push to main in its post-receive hook while armed: the branch is already
  // updated on the server, and the pushing worker waits for its answer until the test releases it.
  control = path.join(pgDir, "control");
  mkdirSync(control);
  writeFileSync(
    path.join(bare, "hooks", "post-receive"),
    `#!/bin/sh
while read old new ref; do
  if [ "$ref" = "refs/heads/main" ] && mv "${control}/arm" "${control}/taken" 2>/dev/null; then
    echo "$new" > "${control}/arrived"
    i=0
    while [ ! -e "${control}/release" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done
  fi
done
exit 0
`,
    { mode: 0o755 },
  );

  const mirrorsDir = path.join(pgDir, "data", "test", "mirrors");
  const repo = await addRepository({ prisma, seal }, { name: tag, url: `${git.open.url}/${path.basename(bare)}` }, null);
  repoId = repo.id;
  const kubeconfig = testbedKubeconfig("admin");
  const { cluster } = await registerCluster(
    { prisma, seal, unseal },
    { source: "kubeconfig", name: tag, kubeconfig, context: parse(kubeconfig)["current-context"] },
  );
  clusterId = cluster.id;
  appId = (await createApplication(prisma, { name: tag })).id;
  // The request path of this process, as server/root.ts builds it, on this file's Postgres.
  deps = {
    prisma,
    mirrorsDir,
    dataDir: path.join(pgDir, "data", "test"),
    unseal,
    cacheFor: (clusterId) => cacheForClusterId(prisma, clusterId, unseal),
    jobs: engine,
    onPushed: async (repositoryId) => {
      await engine.send("repository.fetch", { repositoryId, reason: "pushed by Tideline" });
    },
    afterMerge: async (cr) => engine.publish("changeRequest.merged", { changeRequestId: cr.id }),
  };
  await fetchNow();
  const person = async (role: "developer" | "approver") => {
    const u = await createUser(prisma, { username: uniqueName(role), password: "correct horse battery", role });
    return { id: u.id, username: u.username };
  };
  author = await person("developer");
  approver = await person("approver");
  for (const name of WORKERS) startWorkerProcess(name);
}, 180_000);

afterAll(async () => {
  if (control) writeFileSync(path.join(control, "release"), "");
  for (const child of workers.values()) child.kill("SIGKILL");
  await engine?.stop({ graceful: false }).catch(() => {});
  await prisma?.$disconnect();
  await git?.stop();
  await pg0?.stop().catch(() => {});
  rmSync(pgDir, { recursive: true, force: true });
});

describe("kill -9 of the worker landing a promotion", () => {
  it("while its merge is being pushed (the server has it, the push has not returned): another worker lands that merge within 30 s, once", async () => {
    const p = await pipeline("push");
    const promotion = await propose(p);
    writeFileSync(path.join(control, "arm"), "");
    const approvedAt = new Date();
    const decided = await decidePromotion(deps, approver, promotion.id, { decision: "approved", comment: "ship it" });
    expect(decided.status).toBe("approved");

    // The merge reached the server's main; the worker that pushed it is still waiting for the answer.
    await eventually(
      () => existsSync(path.join(control, "arrived")),
      (v) => v,
      60_000,
    );
    const pushed = (await runGit([`--git-dir=${bare}`, "rev-parse", "main"])).trim();
    const victim = await landingWorker(promotion.id);
    expect((await prisma.promotion.findUniqueOrThrow({ where: { id: promotion.id } })).status).toBe("approved");
    const killedAt = Date.now();
    kill9(victim);
    writeFileSync(path.join(control, "release"), "");

    const landed = await eventually(
      () => prisma.promotion.findUniqueOrThrow({ where: { id: promotion.id } }),
      (x) => LANDED.includes(x.status),
      30_000,
    );
    expect(LANDED, `status ${landed.status} ${landed.error ?? ""} 30 s after the kill`).toContain(landed.status);
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    const done = await eventually(
      () => prisma.promotion.findUniqueOrThrow({ where: { id: promotion.id } }),
      (x) => !["approved", "merged", "syncing"].includes(x.status),
      60_000,
    );
    expect(done.status, done.error ?? "").toBe("succeeded");

    const { p: final, main, merges, runs } = await outcome(promotion.id, p.prod.id, approvedAt);
    // Landed exactly once: the merge the dead worker pushed is the one recorded, and nothing merged it again.
    expect(main).toBe(pushed);
    expect(merges).toEqual([pushed]);
    expect(final.changeRequest).toMatchObject({ status: "merged", mergedSha: pushed });
    expect(final.commitSha).toBe(pushed);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ promotionId: promotion.id, revision: pushed, status: "succeeded" });
    expect(runs[0]!.workerName).not.toBe(victim);
    expect(final.events.filter((e) => e.action === "merged")).toHaveLength(1);
    expect(final.events.filter((e) => e.action === "sync_started")).toHaveLength(1);
    // The landing was finished by another worker's retry of the same job.
    expect(landings.filter((l) => l.promotionId === promotion.id && l.worker !== victim && l.attempt > 1).length).toBeGreaterThanOrEqual(1);
    expect(await liveVersion(p.namespace)).toBe("2");
    startWorkerProcess(victim);
  }, 240_000);

  it("after the merge is recorded, while the target's sync is being asked for: another worker asks for it within 30 s, once", async () => {
    const p = await pipeline("sync");
    const promotion = await propose(p);
    // prod's row is locked by "someone else" (as a long reconcile would): the landing's sync run,
    // which references it, waits there, after the promotion turned "syncing".
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    await locker.query("BEGIN");
    await locker.query(`SELECT id FROM "Environment" WHERE id = $1 FOR UPDATE`, [p.prod.id]);
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      await locker.query("ROLLBACK");
      await locker.end();
    };
    try {
      const approvedAt = new Date();
      const decided = await decidePromotion(deps, approver, promotion.id, { decision: "approved", comment: "ship it" });
      expect(decided.status).toBe("approved");
      const waitingInsert = async () =>
        (
          await prisma.$queryRawUnsafe<Array<{ pid: number }>>(
            `SELECT pid FROM pg_stat_activity WHERE datname = 'landing' AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO "public"."SyncRun"%'`,
          )
        ).length;
      await eventually(waitingInsert, (n) => n > 0, 60_000);
      const held = await prisma.promotion.findUniqueOrThrow({ where: { id: promotion.id }, include: { changeRequest: true } });
      expect(held.status).toBe("syncing");
      expect(held.changeRequest?.status).toBe("merged");
      const victim = await landingWorker(promotion.id);
      const killedAt = Date.now();
      kill9(victim);
      // Postgres ends the dead worker's backend (its insert never runs); then the lock goes.
      await eventually(waitingInsert, (n) => n === 0, 10_000);
      expect(await waitingInsert()).toBe(0);
      await release();

      const run = await eventually(
        () => prisma.syncRun.findFirst({ where: { promotionId: promotion.id } }),
        (r) => r !== null,
        30_000,
      );
      expect(run, `the target's sync was asked for within 30 s of the kill (landings: ${JSON.stringify(landings)})`).not.toBeNull();
      expect(Date.now() - killedAt).toBeLessThan(30_000);
      const done = await eventually(
        () => prisma.promotion.findUniqueOrThrow({ where: { id: promotion.id } }),
        (x) => !["approved", "merged", "syncing"].includes(x.status),
        60_000,
      );
      expect(done.status, `${done.status}: ${done.error ?? ""}`).toBe("succeeded");

      const { p: final, main, merges, runs } = await outcome(promotion.id, p.prod.id, approvedAt);
      expect(merges).toEqual([final.changeRequest!.mergedSha]);
      expect(main).toBe(final.changeRequest!.mergedSha);
      expect(final.commitSha).toBe(final.changeRequest!.mergedSha);
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ promotionId: promotion.id, revision: final.commitSha, status: "succeeded" });
      expect(runs[0]!.workerName).not.toBe(victim);
      expect(final.events.filter((e) => e.action === "merged")).toHaveLength(1);
      expect(landings.filter((l) => l.promotionId === promotion.id && l.worker !== victim && l.attempt > 1).length).toBeGreaterThanOrEqual(1);
      expect(await liveVersion(p.namespace)).toBe("2");
      startWorkerProcess(victim);
    } finally {
      await release();
    }
  }, 240_000);
});

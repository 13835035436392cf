// The admin's view of the job engine, on a real engine and this file's own queue schema: a job no
// worker takes is listed as queued with its age, a failing job is listed with its error and runs
// again after a retry through the API, a queued job can be cancelled, secrets in payloads and
// errors are masked, pages follow a cursor, and every retry/cancel is in the audit log.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession } from "../../lib/auth/sessions";
import { JobEngine } from "../../lib/jobs/engine";
import { jobs } from "../../server/root";
import { makeUser, prisma } from "../helpers/db";
import { callRoute } from "../helpers/routes";

let engine: JobEngine;
let admin: { id: string; username: string };
let cookie: string;

interface Job {
  id: string;
  name: string;
  state: string;
  stateGroup: string;
  data: Record<string, unknown>;
  singletonKey: string | null;
  retryCount: number;
  retryLimit: number;
  waitingSeconds: number | null;
  output: unknown;
  error: { message: string } | null;
  startedOn: string | null;
  completedOn: string | null;
}
interface Figures {
  name: string;
  queued: number;
  active: number;
  failedLast24h: number;
  oldestWaitingSeconds: number | null;
}

const list = async (qs: string) => {
  const res = await callRoute({ file: "jobs", method: "GET", url: `/api/jobs?${qs}`, cookie });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { items: Job[]; nextCursor: string | null };
};
const stats = async () => {
  const res = await callRoute({ file: "jobs/stats", method: "GET", cookie });
  expect(res.status).toBe(200);
  return ((await res.json()) as { queues: Figures[] }).queues;
};
const act = (id: string, verb: "retry" | "cancel", name: string, as = cookie) =>
  callRoute({ file: `jobs/[id]/${verb}`, method: "POST", url: `/api/jobs/${id}/${verb}`, params: { id }, cookie: as, body: { name } });

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  // The same schema the routes' engine (server/root jobs()) uses: this file's own.
  engine = new JobEngine({ connectionString: process.env.DATABASE_URL!, schema: process.env.TIDELINE_JOB_SCHEMA });
  await engine.start();
  const user = await makeUser("admin");
  admin = user;
  cookie = (await createSession(prisma(), user.id, 1)).token;
});

afterAll(async () => {
  await engine?.stop({ graceful: false });
  await jobs().stop({ graceful: false });
});

describe("jobs admin", () => {
  it("lists a job no worker takes as queued, with its age, and counts it in the queue figures", async () => {
    const id = await engine.send("schedule.prune-deliveries", {});
    expect(id).toBeTruthy();
    await new Promise((r) => setTimeout(r, 1_200));
    const { items } = await list("state=queued&name=schedule.prune-deliveries");
    const job = items.find((j) => j.id === id);
    expect(job).toMatchObject({ name: "schedule.prune-deliveries", state: "created", stateGroup: "queued", singletonKey: "all", retryCount: 0, error: null });
    expect(job!.waitingSeconds).toBeGreaterThanOrEqual(1);
    // Not listed under another state or another queue.
    expect((await list("state=failed&name=schedule.prune-deliveries")).items.map((j) => j.id)).not.toContain(id);
    expect((await list("state=queued&name=cluster.check")).items.map((j) => j.id)).not.toContain(id);

    const prune = (await stats()).find((q) => q.name === "schedule.prune-deliveries")!;
    expect(prune.queued).toBe(1);
    expect(prune.active).toBe(0);
    expect(prune.oldestWaitingSeconds).toBeGreaterThanOrEqual(1);
    // Every queue the engine declares is in the figures, idle ones with zeros.
    const idle = (await stats()).find((q) => q.name === "promotion.track")!;
    expect(idle).toMatchObject({ queued: 0, active: 0, failedLast24h: 0, oldestWaitingSeconds: null });
  });

  it("cancelling a running short job (no long-work queue) aborts its handler's signal", async () => {
    // on.branch-moved is one of the short event queues: cancel must reach its handler too.
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    let abortedAt = 0;
    await engine.work({
      "on.branch-moved": async (_p, ctx) => {
        started();
        await new Promise<void>((resolve) => {
          ctx.signal.addEventListener("abort", () => resolve(), { once: true });
          setTimeout(resolve, 60_000).unref();
        });
        abortedAt = ctx.signal.aborted ? Date.now() : 0;
      },
    });
    const id = await engine.send("on.branch-moved", { repositoryId: randomUUID(), branch: "main", fromSha: null, toSha: "a".repeat(40) } as never);
    await running;
    const res = await act(id!, "cancel", "on.branch-moved");
    expect(res.status, await res.clone().text()).toBe(200);
    const cancelledAt = Date.now();
    await until(
      async () => abortedAt,
      (t) => t > 0,
      "the handler's signal to abort",
      30_000,
    );
    // Within two heartbeats (10 s each), not at the queue's 2-minute expiry.
    expect(abortedAt - cancelledAt).toBeLessThan(20_000);
    expect((await list("state=cancelled&name=on.branch-moved")).items.map((j) => j.id)).toContain(id);
  }, 40_000);

  it("cancels a queued job once (audited); a second cancel is a conflict", async () => {
    const { items } = await list("state=queued&name=schedule.prune-deliveries");
    const id = items[0]!.id;
    const res = await act(id, "cancel", "schedule.prune-deliveries");
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await list("state=cancelled&name=schedule.prune-deliveries")).items.map((j) => j.id)).toContain(id);
    expect((await stats()).find((q) => q.name === "schedule.prune-deliveries")!.queued).toBe(0);
    expect((await act(id, "cancel", "schedule.prune-deliveries")).status).toBe(409);
    const audit = await prisma().auditEvent.findMany({ where: { action: "job.cancel", targetId: id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorName: admin.username, targetType: "job", details: { name: "schedule.prune-deliveries", previousState: "created" } });
  });

  it("lists a failed job with its error, retries it through the API and it runs again", async () => {
    const clusterId = `c-${randomUUID()}`;
    const attempts: string[] = [];
    // A test-only handler: the first run throws like a cluster that cannot be reached, the second succeeds.
    await engine.boss.work<{ clusterId: string }>("cluster.check", { pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 0.5 }, async ([job]) => {
      if (job!.data.clusterId !== clusterId) return;
      attempts.push(job!.id);
      if (attempts.length === 1) throw new Error(`cluster ${clusterId} unreachable: connect ECONNREFUSED 10.0.0.1:6443`);
      return { checked: true };
    });
    // No retries of its own, so it is failed after one run.
    const id = (await engine.boss.send("cluster.check", { clusterId }, { singletonKey: clusterId, retryLimit: 0 }))!;
    const failed = await until(
      () => list("state=failed&name=cluster.check"),
      (r) => r.items.some((j) => j.id === id),
      "the job to fail",
    );
    const job = failed.items.find((j) => j.id === id)!;
    expect(job.error?.message).toBe(`cluster ${clusterId} unreachable: connect ECONNREFUSED 10.0.0.1:6443`);
    expect(job.completedOn).toBeTruthy();
    expect((await stats()).find((q) => q.name === "cluster.check")!.failedLast24h).toBeGreaterThanOrEqual(1);

    // Only failed jobs can be retried; unknown ids and queues are 404.
    expect((await act(randomUUID(), "retry", "cluster.check")).status).toBe(404);
    expect((await act(id, "retry", "image.check")).status).toBe(404);
    expect((await act("not-a-job-id", "retry", "cluster.check")).status).toBe(404);
    const bad = await act(id, "retry", "");
    expect(bad.status).toBe(422);
    expect(JSON.stringify(await bad.json())).toContain("name");

    const started = Date.now();
    const res = await act(id, "retry", "cluster.check");
    expect(res.status, await res.clone().text()).toBe(200);
    const done = await until(
      () => list("state=completed&name=cluster.check"),
      (r) => r.items.some((j) => j.id === id),
      "the retried job to complete",
    );
    const rerun = done.items.find((j) => j.id === id)!;
    expect(attempts).toEqual([id, id]);
    expect(rerun).toMatchObject({ state: "completed", output: { checked: true }, error: null });
    // The retry woke the idle worker at once instead of waiting for a poll.
    expect(Date.now() - started).toBeLessThan(5_000);
    // A completed job is not failed any more: retrying it again is a conflict.
    expect((await act(id, "retry", "cluster.check")).status).toBe(409);

    const audit = await prisma().auditEvent.findMany({ where: { action: "job.retry", targetId: id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorName: admin.username, details: { name: "cluster.check", singletonKey: clusterId } });
    await engine.boss.offWork("cluster.check");
  });

  it("masks secret-looking fields in payloads and pages newest first by cursor", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const policyId = `p-${i}-${randomUUID()}`;
      ids.push(
        (await engine.boss.send(
          "image.check",
          { policyId, registryToken: "tok-value-123", nested: { password: "pw-value-456", id: policyId } },
          { singletonKey: policyId },
        ))!,
      );
    }
    const seen: Job[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { items: Job[]; nextCursor: string | null } = await list(`name=image.check&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.map((j) => j.id)).toEqual([...ids].reverse());
    expect(JSON.stringify(seen)).not.toContain("tok-value-123");
    expect(JSON.stringify(seen)).not.toContain("pw-value-456");
    expect(seen[0]!.data).toMatchObject({ registryToken: "••••••", nested: { password: "••••••" } });
    expect((seen[0]!.data.nested as { id: string }).id).toMatch(/^p-4-/);
    // The same pages through a state filter (picked through pg-boss's live-state index, then sorted).
    const queued: Job[] = [];
    cursor = null;
    do {
      const page: { items: Job[]; nextCursor: string | null } = await list(`state=queued&name=image.check&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      queued.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(queued.map((j) => j.id)).toEqual([...ids].reverse());
    // All queues together, newest first: the newest image.check job leads.
    expect((await list("limit=1")).items[0]!.id).toBe(ids[4]);

    // Credentials quoted inside an error (a Git remote URL, a bearer header) are masked too.
    const leaky = (await engine.boss.send(
      "repository.fetch",
      { repositoryId: `r-${randomUUID()}`, url: "https://bot:ghp_url-secret-1@git.example/org/app.git" },
      { retryLimit: 0 },
    ))!;
    await engine.boss.fail("repository.fetch", leaky, {
      message: "git fetch https://bot:ghp_url-secret-2@git.example/org/app.git failed: 401 (sent Authorization: Bearer ghp_header-secret-3)",
    });
    const failedFetch = (await list("state=failed&name=repository.fetch")).items.find((j) => j.id === leaky)!;
    expect(failedFetch.error!.message).toBe("git fetch https://••••••@git.example/org/app.git failed: 401 (sent Authorization: Bearer ••••••)");
    expect(failedFetch.data.url).toBe("https://••••••@git.example/org/app.git");
    expect(JSON.stringify(failedFetch)).not.toMatch(/secret-[123]/);

    const bad = await callRoute({ file: "jobs", method: "GET", url: "/api/jobs?cursor=bm9wZQ&state=stuck", cookie });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(await bad.json())).toContain("state");
    expect((await callRoute({ file: "jobs", method: "GET", url: "/api/jobs?cursor=bm9wZQ", cookie })).status).toBe(422);
  });

  it("refuses non-admins", async () => {
    const dev = await makeUser("developer");
    const devCookie = (await createSession(prisma(), dev.id, 1)).token;
    expect((await callRoute({ file: "jobs", method: "GET", cookie: devCookie })).status).toBe(403);
    expect((await act(randomUUID(), "cancel", "cluster.check", devCookie)).status).toBe(403);
  });
});

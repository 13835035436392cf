// The Jobs page: an admin finds a failed job through the queue figures, reads its error (payload
// secrets masked), retries it and sees it run again to completion. The job lives on its own queue,
// worked by this spec (the server's workers do not take it), so its first run fails and its second
// succeeds on purpose; listing, retry and the figures all go through the running server.
import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { PgBoss } from "pg-boss";
import { signInAs } from "./fixtures/state";

test.describe.configure({ mode: "serial" });

const QUEUE = "e2e.registry-scan";
const scanId = `scan-${randomUUID().slice(0, 8)}`;
const ERROR = `registry.example.test unreachable for ${scanId}: connect ECONNREFUSED 10.0.0.9:443`;
const runs: string[] = [];
let boss: PgBoss;
let jobId: string;

test.beforeAll(async () => {
  // global-setup put the server's DATABASE_URL into this process's environment.
  boss = new PgBoss({
    connectionString: process.env.DATABASE_URL!,
    schema: process.env.TIDELINE_JOB_SCHEMA ?? "tideline_jobs",
    supervise: false,
    schedule: false,
    useListenNotify: true,
  });
  boss.on("error", () => {});
  await boss.start();
  await boss.createQueue(QUEUE);
  await boss.work<{ scanId: string }>(QUEUE, { pollingIntervalSeconds: 0.5 }, async ([job]) => {
    runs.push(job!.id);
    if (runs.length === 1) throw new Error(ERROR);
    return { scanned: true };
  });
  jobId = (await boss.send(QUEUE, { scanId, registryToken: "e2e-token-value-789" }, { retryLimit: 0 }))!;
  await expect.poll(async () => (await boss.findJobs(QUEUE, { id: jobId }))[0]?.state, { timeout: 15_000 }).toBe("failed");
});

test.afterAll(async () => {
  await boss?.offWork(QUEUE).catch(() => {});
  await boss?.deleteQueue(QUEUE).catch(() => {});
  await boss?.stop({ graceful: false }).catch(() => {});
});

test("an admin sees a failed job's error on the Jobs page and retries it", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto("/");
  await page.getByTestId("nav-jobs").click();
  await expect(page).toHaveURL(/\/jobs/);

  // The queue figures count the failure; clicking the queue filters the jobs to it.
  const figures = page.getByTestId("queue-figures").locator(`[data-queue="${QUEUE}"]`);
  await expect(figures.locator("td").nth(4)).toHaveText("1");
  await figures.getByRole("button", { name: QUEUE }).click();
  await page.getByLabel("State").selectOption("failed");

  const row = page.locator(`[data-testid="job-row"][data-job-id="${jobId}"]`);
  await expect(row.getByTestId("job-state")).toHaveText("failed");
  await expect(row.getByTestId("job-error")).toContainText(ERROR);
  await expect(row.getByTestId("job-payload")).toContainText(`scanId: ${scanId}`);
  await expect(row.getByTestId("job-payload")).toContainText("registryToken: ••••••");
  await expect(row).not.toContainText("e2e-token-value-789");
  await expect(row.getByTestId("job-cancel")).toHaveCount(0);

  await row.getByTestId("job-retry").click();
  // It leaves the failed list, and runs again to completion.
  await expect(row).toHaveCount(0);
  await page.getByLabel("State").selectOption("completed");
  await expect(row.getByTestId("job-state")).toHaveText("completed");
  await expect(row.getByTestId("job-retry")).toHaveCount(0);
  expect(runs).toEqual([jobId, jobId]);
});

test("the Jobs page is for admins only", async ({ page }) => {
  await signInAs(page, "developer");
  await page.goto("/");
  await expect(page.getByTestId("nav-jobs")).toHaveCount(0);
  await page.goto("/jobs");
  await expect(page).not.toHaveURL(/\/jobs/);
  expect((await page.request.get("/api/jobs")).status()).toBe(403);
});

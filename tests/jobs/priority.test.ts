// Urgent work goes first: a priority send runs before ordinary waiting jobs, and when it collapses
// into a job already waiting for the same key (stately queues), that job takes its priority.
// Real pg-boss on this test file's own schema; no worker runs, so jobs stay waiting.
import { afterAll, expect, it } from "vitest";
import { jobs } from "../../server/root";
import { db } from "../../lib/db";

afterAll(() => jobs().stop({ graceful: false }));

const waiting = (key: string) =>
  db().$queryRawUnsafe<Array<{ priority: number }>>(
    `SELECT priority FROM "${process.env.TIDELINE_JOB_SCHEMA}".job WHERE name = 'environment.work' AND singleton_key = $1 AND state = 'created'`,
    key,
  );

it("raises the waiting job of the same environment instead of dropping the urgent trigger", async () => {
  const engine = jobs();
  expect(await engine.send("environment.work", { environmentId: "env-sweep", reason: "resync interval" })).toBeTruthy();
  expect(await engine.send("environment.work", { environmentId: "env-sweep", reason: "branch moved: its files changed" }, { priority: 10 })).toBeNull();
  expect(await waiting("env-sweep")).toEqual([{ priority: 10 }]);
  // A lower priority never lowers it.
  await engine.send("environment.work", { environmentId: "env-sweep", reason: "again" }, { priority: 5 });
  expect(await waiting("env-sweep")).toEqual([{ priority: 10 }]);
});

it("hands out the urgent job before ordinary ones queued earlier", async () => {
  const engine = jobs();
  for (let i = 0; i < 5; i++) await engine.send("environment.work", { environmentId: `env-plain-${i}`, reason: "resync interval" });
  await engine.send("environment.work", { environmentId: "env-urgent", reason: "branch moved: its files changed" }, { priority: 10 });
  const [first] = await engine.boss.fetch<{ environmentId: string }>("environment.work");
  expect(first!.data.environmentId).toBe("env-sweep"); // raised to 10 in the test above, queued earlier
  const [second] = await engine.boss.fetch<{ environmentId: string }>("environment.work");
  expect(second!.data.environmentId).toBe("env-urgent");
});

// A separate Tideline worker process for the lease test: for a while, repeatedly takes the
// environment's lease and does a full assessment under it, printing when it held the lease.
import { withEnvironmentLease } from "../../lib/reconcile/lease";
import { assessEnvironment, storeReports } from "../../lib/reconcile/reconcile-environment";
import { reconcileDeps } from "../../lib/services";
import { db } from "../../lib/db";

const [environmentId, durationMs] = [process.argv[2]!, Number(process.argv[3] ?? 4000)];
const until = Date.now() + durationMs;
const held: Array<[number, number]> = [];
let skipped = 0;
while (Date.now() < until) {
  const out = await withEnvironmentLease(db(), environmentId, 60_000, async () => {
    const start = Date.now();
    const env = await db().environment.findUniqueOrThrow({ where: { id: environmentId } });
    const { desired, reports } = await assessEnvironment(reconcileDeps(), env);
    await storeReports(db(), env, desired.revision, reports);
    held.push([start, Date.now()]);
  });
  if (!out.ran) skipped += 1;
}
console.log(JSON.stringify({ held, skipped }));
await db().$disconnect();
process.exit(0);

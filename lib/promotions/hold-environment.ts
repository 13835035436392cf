// Holding an environment by hand (an incident, a freeze): auto-sync and self-heal stay at the
// revision that runs now, exactly like a rollback's hold, until someone releases it.
import { AppError } from "../errors";
import type { PromotionActor, PromotionDeps } from "./deps";

export async function holdEnvironment(deps: Pick<PromotionDeps, "prisma">, actor: PromotionActor, environmentId: string, input: { reason: string }) {
  const env = await deps.prisma.environment.findUnique({ where: { id: environmentId } });
  if (!env) throw new AppError("not_found", `Environment ${environmentId} does not exist`);
  if (env.syncHold)
    throw new AppError("conflict", `${env.name} is already held: ${env.syncHoldReason ?? `at ${env.syncHoldRevision?.slice(0, 7)}`}; release it first`);
  const revision = env.syncedRevision;
  if (!revision) throw new AppError("conflict", `${env.name} has never been synced, so there is no revision to hold it at; sync it first`);
  const reason = `Held at ${revision.slice(0, 7)} by ${actor.username}: ${input.reason}`;
  // Guarded by syncHold=false so two holds at once cannot overwrite each other's reason.
  const { count } = await deps.prisma.environment.updateMany({
    where: { id: env.id, syncHold: false },
    data: { syncHold: true, syncHoldRevision: revision, syncHoldReason: reason, syncHoldChangeRequestId: null },
  });
  if (count === 0) throw new AppError("conflict", `${env.name} was held by someone else meanwhile`);
  return { held: true, revision, reason, by: actor.username };
}

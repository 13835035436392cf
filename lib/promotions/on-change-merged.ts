// What happens when a change request merges: a promotion waiting on it moves on (sync or
// wait for a person), and a rollback's revert releases the environment's sync hold.
import type { ChangeRequest } from "../generated/prisma/client";
import { db } from "../db";

export async function onChangeRequestMerged(cr: ChangeRequest): Promise<void> {
  const prisma = db();
  // Rollback: Git is the truth again, so the hold is released and auto-sync resumes.
  await prisma.environment.updateMany({
    where: { syncHoldChangeRequestId: cr.id },
    data: { syncHold: false, syncHoldReason: null, syncHoldRevision: null, syncHoldChangeRequestId: null },
  });
}

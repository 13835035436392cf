// A built-in change request follows its branch: a commit pushed to the branch (from anywhere)
// moves the recorded head, so approvals given on the old head stop counting. Provider-backed
// requests learn their head from GitHub/GitLab (sync-provider.ts).
import type { ChangeRequest, PrismaClient } from "../generated/prisma/client";
import { mirrorPath } from "../git/mirror";
import { mirrorHead } from "../repositories/write-branch";

export async function followHead(deps: { prisma: PrismaClient; mirrorsDir: string }, cr: ChangeRequest): Promise<ChangeRequest> {
  // A promotion's head is the commit its preview and approvals were for: it never follows the branch
  // (a moved branch makes the merge refuse instead, see merge-change.ts).
  if (cr.status !== "open" || cr.kind === "promotion" || (cr.provider !== "git" && cr.externalNumber)) return cr;
  const head = await mirrorHead(mirrorPath(deps.mirrorsDir, cr.repositoryId), cr.headBranch).catch(() => null);
  if (!head || head === cr.headSha) return cr;
  // Compare-and-set: of concurrent readers one moves it; all then read the same row.
  await deps.prisma.changeRequest.updateMany({ where: { id: cr.id, headSha: cr.headSha, status: "open" }, data: { headSha: head } });
  return deps.prisma.changeRequest.findUniqueOrThrow({ where: { id: cr.id } });
}

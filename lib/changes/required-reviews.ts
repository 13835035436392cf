// How many approvals a change needs: the strictest protection among the environments whose
// sources it touches (same repository and branch, a changed file under the environment's folder).
import type { PrismaClient } from "../generated/prisma/client";

export async function affectedEnvironments(prisma: PrismaClient, repositoryId: string, branch: string, paths: string[]) {
  const envs = await prisma.environment.findMany({
    where: { repositoryId, branch },
    select: { id: true, name: true, path: true, applicationId: true, requiredApprovals: true, helmValuesFiles: true, application: { select: { name: true } } },
  });
  const under = (dir: string, p: string) => dir === "" || p === dir || p.startsWith(`${dir}/`);
  return envs.filter((e) => paths.some((p) => under(e.path, p) || e.helmValuesFiles.includes(p)));
}

export async function requiredReviewsFor(prisma: PrismaClient, repositoryId: string, branch: string, paths: string[]): Promise<number> {
  const envs = await affectedEnvironments(prisma, repositoryId, branch, paths);
  return Math.max(0, ...envs.map((e) => e.requiredApprovals));
}

/** Approvals that count: latest review per person, not the author's own, none requesting changes. */
export function reviewVerdict(reviews: Array<{ userId: string | null; userName: string; state: string; createdAt: Date }>, authorName: string) {
  const latest = new Map<string, string>();
  for (const r of [...reviews].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())) {
    if (r.state === "commented" || r.userName === authorName) continue;
    latest.set(r.userId ?? r.userName, r.state);
  }
  const approvals = [...latest.values()].filter((s) => s === "approved").length;
  const changesRequested = [...latest.values()].filter((s) => s === "changes_requested").length;
  return { approvals, changesRequested };
}

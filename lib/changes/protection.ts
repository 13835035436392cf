// The protection of one change request for its current head, cached on the row per head commit
// and protection settings (renders are seconds; the page polls every few). A moved head or changed
// settings recompute; a head commit not in the mirror yet is reported as pending and never cached.
import type { ChangeRequest } from "../generated/prisma/client";
import { mirrorPath } from "../git/mirror";
import { mergeBase, runGitRaw } from "../git/write-commit";
import { computeProtection, protectedEnvironments, protectionConfigKey, type Protection, type ProtectionDeps } from "./required-reviews";

export type ProtectionState = (Protection & { pending: false }) | { pending: true; headSha: string; reason: string; requirements: []; requiredReviews: number };

const inFlight = new Map<string, Promise<Protection>>();
/** A missing head is fetched for at most once per 30 s per change request (the page polls every 5 s). */
const REFRESH_EVERY_MS = 30_000;
const refreshedAt = new Map<string, number>();
function refreshDue(key: string) {
  const last = refreshedAt.get(key) ?? 0;
  if (Date.now() - last < REFRESH_EVERY_MS) return false;
  refreshedAt.set(key, Date.now());
  if (refreshedAt.size > 1000) refreshedAt.delete(refreshedAt.keys().next().value!);
  return true;
}

type Row = Pick<ChangeRequest, "id" | "kind" | "repositoryId" | "baseBranch" | "baseSha" | "headSha" | "protection" | "protectionSha" | "requiredReviews">;

/**
 * `refresh` fetches the mirror when the head (e.g. pushed to GitHub) is not in it yet: always for
 * a merge (`throttle: false`), at most every 30 s for page reads.
 */
export async function protectionFor(
  deps: ProtectionDeps,
  cr: Row,
  opts: { refresh?: () => Promise<unknown>; throttle?: boolean } = {},
): Promise<ProtectionState> {
  const cached = cr.protectionSha === cr.headSha ? (cr.protection as unknown as Protection | null) : null;
  // Protection settings are read each time (one query): raising an environment's approvals applies at once.
  const configKey = protectionConfigKey(await protectedEnvironments(deps.prisma, cr.repositoryId, cr.baseBranch));
  if (cached && cached.configKey === configKey) return { ...cached, pending: false };
  const gitdir = mirrorPath(deps.mirrorsDir, cr.repositoryId);
  const present = async () => (await runGitRaw(gitdir, ["cat-file", "-e", `${cr.headSha}^{commit}`])).code === 0;
  const refresh = opts.refresh && (opts.throttle === false || refreshDue(`${cr.id}@${cr.headSha}`)) ? opts.refresh : null;
  if (!(await present()) && !(refresh && (await refresh().catch(() => null), await present()))) {
    return {
      pending: true,
      headSha: cr.headSha,
      reason: `The head commit ${cr.headSha.slice(0, 7)} is not fetched yet; approvals are checked once it is`,
      requirements: [],
      requiredReviews: cr.requiredReviews,
    };
  }
  const key = `${cr.id}@${cr.headSha}@${configKey}`;
  let running = inFlight.get(key);
  if (!running) {
    running = (async () => {
      const from = (await mergeBase(gitdir, cr.baseSha, cr.headSha)) ?? cr.baseSha;
      const protection = await computeProtection(deps, { repositoryId: cr.repositoryId, branch: cr.baseBranch, baseSha: from, headSha: cr.headSha });
      // Written only if the head is still the one computed for (compare-and-set on headSha).
      await deps.prisma.changeRequest.updateMany({
        where: { id: cr.id, headSha: cr.headSha },
        // A promotion keeps its target's approvals as a floor (they are given on the promotion).
        data: {
          protection: protection as object,
          protectionSha: cr.headSha,
          requiredReviews: cr.kind === "promotion" ? Math.max(cr.requiredReviews, protection.requiredReviews) : protection.requiredReviews,
        },
      });
      return protection;
    })().finally(() => inFlight.delete(key));
    inFlight.set(key, running);
  }
  return { ...(await running), pending: false };
}

// Which reviews count: the latest verdict per person, never the change's author (in Tideline or
// on the provider), never a dismissed one, and an approval only while the head is the commit it
// was given on. A protected application's requirement counts only approvers of that application
// (role approver or higher there, per-application roles included).
import type { PrismaClient } from "../generated/prisma/client";
import { effectiveRole } from "../auth/application-roles";
import { hasRole, type RoleName } from "../auth/roles";
import type { ApprovalRequirement } from "./required-reviews";
import type { ProtectionState } from "./protection";

export interface ReviewRow {
  id: string;
  userId: string | null;
  userName: string;
  state: string;
  commitSha: string | null;
  dismissedAt: Date | null;
  externalId: string | null;
  createdAt: Date;
}

export interface ChangeIdentity {
  authorId: string | null;
  authorName: string;
  /** The provider account that opened the pull/merge request. */
  externalAuthor: string | null;
  headSha: string;
}

/** counts: an approval of the current head; blocks: changes requested; the rest are history. */
export type Standing = "counts" | "blocks" | "stale" | "dismissed" | "author" | "superseded" | "comment";

const same = (a: string | null | undefined, b: string | null | undefined) => !!a && !!b && a.toLowerCase() === b.toLowerCase();

export function isAuthorReview(r: Pick<ReviewRow, "userId" | "userName" | "externalId">, cr: ChangeIdentity, resolvedUserId?: string | null) {
  if (cr.authorId && (r.userId === cr.authorId || resolvedUserId === cr.authorId)) return true;
  if (same(r.userName, cr.authorName)) return true;
  return !!r.externalId && same(r.userName, cr.externalAuthor);
}

/** Pure tally (lists use it without role lookups); `personOf` merges one person's Tideline and provider reviews. */
export function tallyReviews(
  reviews: ReviewRow[],
  cr: ChangeIdentity,
  personOf: (r: ReviewRow) => string = (r) => r.userId ?? `@${r.userName.toLowerCase()}`,
  resolvedUserId: (r: ReviewRow) => string | null = (r) => r.userId,
) {
  const standing = new Map<string, Standing>();
  const latest = new Map<string, ReviewRow>();
  for (const r of [...reviews].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())) {
    if (isAuthorReview(r, cr, resolvedUserId(r))) {
      standing.set(r.id, "author");
      continue;
    }
    if (r.state === "commented") {
      standing.set(r.id, r.dismissedAt ? "dismissed" : "comment");
      continue;
    }
    const before = latest.get(personOf(r));
    if (before) standing.set(before.id, before.dismissedAt ? "dismissed" : "superseded");
    latest.set(personOf(r), r);
  }
  const current: ReviewRow[] = [];
  let changesRequested = 0;
  let staleApprovals = 0;
  for (const r of latest.values()) {
    if (r.dismissedAt) standing.set(r.id, "dismissed");
    else if (r.state === "changes_requested") {
      standing.set(r.id, "blocks");
      changesRequested += 1;
    } else if (r.commitSha && r.commitSha === cr.headSha) {
      standing.set(r.id, "counts");
      current.push(r);
    } else {
      standing.set(r.id, "stale");
      staleApprovals += 1;
    }
  }
  return { approvals: current.length, changesRequested, staleApprovals, current, standing };
}

/** Tideline users behind reviews: by id for reviews given here, by username for provider logins. */
async function resolveReviewers(prisma: PrismaClient, reviews: ReviewRow[]) {
  const ids = [...new Set(reviews.flatMap((r) => (r.userId ? [r.userId] : [])))];
  const names = [...new Set(reviews.flatMap((r) => (r.userId ? [] : [r.userName.toLowerCase()])))];
  const users = await prisma.user.findMany({
    where: { OR: [{ id: { in: ids } }, { username: { in: names } }] },
    select: { id: true, username: true, role: true },
  });
  const byId = new Map(users.map((u) => [u.id, u]));
  const byName = new Map(users.map((u) => [u.username.toLowerCase(), u]));
  return new Map(reviews.map((r) => [r.id, (r.userId ? byId.get(r.userId) : byName.get(r.userName.toLowerCase())) ?? null]));
}

export interface RequirementStatus extends ApprovalRequirement {
  have: number;
  met: boolean;
  approvedBy: string[];
  /** Approvals of the head that do not count for this application, and why. */
  notCounted: Array<{ userName: string; reason: string }>;
}

export async function approvalStatus(prisma: PrismaClient, cr: ChangeIdentity, reviews: ReviewRow[], protection: ProtectionState) {
  const users = await resolveReviewers(prisma, reviews);
  const tally = tallyReviews(
    reviews,
    cr,
    (r) => users.get(r.id)?.id ?? `@${r.userName.toLowerCase()}`,
    (r) => users.get(r.id)?.id ?? null,
  );
  const roles = new Map<string, RoleName>();
  const roleOn = async (user: { id: string; role: RoleName }, applicationId: string) => {
    const key = `${user.id}|${applicationId}`;
    if (!roles.has(key)) roles.set(key, await effectiveRole(prisma, user, applicationId));
    return roles.get(key)!;
  };
  const requirements: RequirementStatus[] = [];
  for (const req of protection.requirements) {
    const approvedBy: string[] = [];
    const notCounted: RequirementStatus["notCounted"] = [];
    for (const r of tally.current) {
      const user = users.get(r.id);
      if (!user)
        notCounted.push({ userName: r.userName, reason: `no Tideline user is named ${r.userName}, so they are not an approver of ${req.application}` });
      else if (!hasRole(await roleOn(user, req.applicationId), "approver"))
        notCounted.push({ userName: user.username, reason: `not an approver of ${req.application}` });
      else if (!approvedBy.includes(user.username)) approvedBy.push(user.username);
    }
    requirements.push({ ...req, have: approvedBy.length, met: approvedBy.length >= req.approvals, approvedBy, notCounted });
  }
  const blockers: string[] = [];
  if (protection.pending) blockers.push(protection.reason);
  if (tally.changesRequested > 0) blockers.push(`${tally.changesRequested} request(s) for changes; they must approve (or be dismissed) before it can merge`);
  for (const r of requirements.filter((x) => !x.met)) {
    blockers.push(
      `${r.summary}: it has ${r.have}${r.approvedBy.length ? ` (${r.approvedBy.join(", ")})` : ""}${r.notCounted.length ? `; not counted: ${r.notCounted.map((n) => `${n.userName} (${n.reason})`).join(", ")}` : ""}`,
    );
  }
  if (tally.staleApprovals > 0 && blockers.length)
    blockers.push(`${tally.staleApprovals} approval(s) were given on an earlier commit and no longer count: the head moved since`);
  return {
    approvals: tally.approvals,
    changesRequested: tally.changesRequested,
    staleApprovals: tally.staleApprovals,
    requirements,
    blockers,
    standing: tally.standing,
    mergeable: blockers.length === 0,
  };
}
export type ApprovalStatus = Awaited<ReturnType<typeof approvalStatus>>;

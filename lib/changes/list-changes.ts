// Change request list (filters, pages) and detail (commits, files, reviews, merge readiness).
import type { Prisma, PrismaClient } from "../generated/prisma/client";
import { AppError } from "../errors";
import { mirrorPath } from "../git/mirror";
import { readFileAt } from "../git/content";
import { normalizeRepoPath } from "../git/paths";
import { changedFiles, mergeBase, runGitRaw } from "../git/write-commit";
import { approvalStatus, tallyReviews } from "./approvals";
import { followHead } from "./head";
import { protectionFor } from "./protection";
import type { ListChangesQuery } from "./schemas";

export async function listChanges(prisma: PrismaClient, query: ListChangesQuery) {
  const where: Prisma.ChangeRequestWhereInput = {
    ...(query.status !== "all" ? { status: query.status } : {}),
    ...(query.repositoryId ? { repositoryId: query.repositoryId } : {}),
    ...(query.kind ? { kind: query.kind } : {}),
    ...(query.author ? { authorName: query.author } : {}),
    ...(query.q ? { title: { contains: query.q, mode: "insensitive" as const } } : {}),
  };
  const [total, rows] = await Promise.all([
    prisma.changeRequest.count({ where }),
    prisma.changeRequest.findMany({
      where,
      orderBy: { createdAt: "desc" },
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize,
      include: { repository: { select: { name: true } }, reviews: true },
    }),
  ]);
  return {
    total,
    page: query.page,
    pageSize: query.pageSize,
    items: rows.map(({ reviews, repository, protection: _protection, ...cr }) => {
      const { approvals, changesRequested, staleApprovals } = tallyReviews(reviews, cr);
      return { ...cr, repositoryName: repository.name, approvals, changesRequested, staleApprovals };
    }),
  };
}

export async function getChange(prisma: PrismaClient, mirrorsDir: string, id: string, opts: { refresh?: (repositoryId: string) => Promise<unknown> } = {}) {
  const row = await prisma.changeRequest.findUnique({ where: { id } });
  if (!row) throw new AppError("not_found", `Change request ${id} does not exist`);
  const moved = await followHead({ prisma, mirrorsDir }, row);
  const cr = await prisma.changeRequest.findUniqueOrThrow({
    where: { id: moved.id },
    include: {
      repository: { select: { id: true, name: true, provider: true } },
      reviews: { orderBy: { createdAt: "asc" } },
      promotion: { select: { id: true, kind: true, status: true, authorName: true } },
    },
  });
  const gitdir = mirrorPath(mirrorsDir, cr.repositoryId);
  const from = (await mergeBase(gitdir, cr.baseSha, cr.headSha)) ?? cr.baseSha;
  const [files, log] = await Promise.all([
    changedFiles(gitdir, from, cr.headSha).catch(() => []),
    runGitRaw(gitdir, ["log", "--format=%H%x00%an%x00%ae%x00%aI%x00%s", `${from}..${cr.headSha}`]),
  ]);
  const commits =
    log.code === 0
      ? log.stdout
          .split("\n")
          .filter(Boolean)
          .map((line) => {
            const [sha, authorName, authorEmail, authoredAt, subject] = line.split("\0");
            return { sha: sha!, authorName: authorName!, authorEmail: authorEmail!, authoredAt: authoredAt!, subject: subject! };
          })
      : [];
  const protection = await protectionFor({ prisma, mirrorsDir }, cr, { refresh: opts.refresh && (() => opts.refresh!(cr.repositoryId)) });
  const { standing, ...status } = await approvalStatus(prisma, cr, cr.reviews, protection);
  const { protection: _cached, ...rest } = cr;
  const reviews = cr.reviews.map((r) => ({ ...r, standing: standing.get(r.id) ?? "comment" }));
  const mergeable = cr.status === "open" && status.mergeable;
  const requiredReviews = cr.kind === "promotion" ? Math.max(cr.requiredReviews, protection.requiredReviews) : protection.requiredReviews;
  return { ...rest, requiredReviews, reviews, mergeBase: from, files, commits, protectionPending: protection.pending, ...status, mergeable };
}

/** Both sides of one file of a change request (merge base vs head), as Monaco's diff shows them. */
export async function changeFileDiff(prisma: PrismaClient, mirrorsDir: string, maxFileBytes: number, id: string, rawPath: string) {
  const cr = await prisma.changeRequest.findUnique({ where: { id } });
  if (!cr) throw new AppError("not_found", `Change request ${id} does not exist`);
  const path = normalizeRepoPath(rawPath);
  const gitdir = mirrorPath(mirrorsDir, cr.repositoryId);
  const from = (await mergeBase(gitdir, cr.baseSha, cr.headSha)) ?? cr.baseSha;
  const [before, after] = await Promise.all([readFileAt(gitdir, from, path, maxFileBytes), readFileAt(gitdir, cr.headSha, path, maxFileBytes)]);
  if (!before && !after) throw new AppError("not_found", `Change request #${cr.number} does not touch "${path}"`);
  return { path, before, after };
}

// What the change request API routes call: each composes a few lib steps so a route handler
// stays one call (preview an edit, a change with its provider state refreshed, its impact,
// and where a repository's change requests are opened).
import type { PrismaClient, Repository } from "../generated/prisma/client";
import { AppError, invalid, notFound } from "../errors";
import { mirrorPath } from "../git/mirror";
import { mergeBase } from "../git/write-commit";
import type { ReconcileDeps } from "../reconcile/reconcile-environment";
import { refreshMirror, type WriteDeps } from "../repositories/write-branch";
import { changeImpact } from "./impact";
import { getChange } from "./list-changes";
import type { MergeDeps } from "./merge-change";
import { buildChangeCommit, signatureOf, toFileEdits, type ChangeActor } from "./propose-change";
import { providerFor } from "./provider-for";
import type { previewEditInput, RepositoryProviderInput } from "./schemas";
import { syncProviderChange } from "./sync-provider";
import type { z } from "zod";

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Builds the edit's commit in the mirror (nothing is pushed) and renders every environment on the branch at it. */
export async function previewEdit(deps: { write: WriteDeps; reconcile: ReconcileDeps }, actor: ChangeActor, input: z.infer<typeof previewEditInput>) {
  const { head, commit, files } = await buildChangeCommit(deps.write, {
    repositoryId: input.repositoryId,
    baseBranch: input.baseBranch,
    baseSha: input.baseSha,
    edits: toFileEdits(input.files),
    message: "Preview of an edit in Tideline",
    author: signatureOf(actor),
  });
  const impact = await changeImpact(deps.reconcile, { repositoryId: input.repositoryId, branch: input.baseBranch, baseSha: head, headSha: commit });
  return { baseSha: head, headSha: commit, files, impact };
}

/** Pages poll the detail; the provider is asked at most this often per change request (its API has rate limits). */
const PROVIDER_SYNC_EVERY_MS = 15_000;

/** One change request; provider-backed open ones are first refreshed from GitHub/GitLab (a failure shows as lastError). */
export async function changeDetail(deps: MergeDeps, id: string) {
  const cr = await deps.prisma.changeRequest.findUnique({ where: { id }, select: { provider: true, externalNumber: true, status: true, lastSyncedAt: true } });
  let syncError: string | null = null;
  const due = !cr?.lastSyncedAt || Date.now() - cr.lastSyncedAt.getTime() >= PROVIDER_SYNC_EVERY_MS;
  if (cr && cr.provider !== "git" && cr.externalNumber && cr.status === "open" && due) {
    syncError = await syncProviderChange(deps, id).then(() => null, message);
  }
  const detail = await getChange(deps.prisma, deps.mirrorsDir, id, { refresh: (repositoryId) => refreshMirror(deps, repositoryId) });
  return { ...detail, lastError: detail.lastError ?? syncError };
}

/** The per-environment impact of a change request: its head against the merge base. */
export async function impactOfChange(deps: ReconcileDeps, id: string) {
  const cr = await deps.prisma.changeRequest.findUnique({ where: { id } });
  if (!cr) throw notFound(`Change request ${id} does not exist`);
  const from = (await mergeBase(mirrorPath(deps.mirrorsDir, cr.repositoryId), cr.baseSha, cr.headSha)) ?? cr.baseSha;
  return {
    baseSha: from,
    headSha: cr.headSha,
    impact: await changeImpact(deps, { repositoryId: cr.repositoryId, branch: cr.baseBranch, baseSha: from, headSha: cr.headSha }),
  };
}

export const providerSettings = (r: Pick<Repository, "provider" | "providerApiUrl" | "providerProject">) => ({
  provider: r.provider,
  providerApiUrl: r.providerApiUrl,
  providerProject: r.providerProject,
});

export async function repositoryProviderSettings(prisma: PrismaClient, id: string) {
  const repo = await prisma.repository.findUnique({ where: { id }, select: { provider: true, providerApiUrl: true, providerProject: true } });
  if (!repo) throw notFound(`Repository ${id} does not exist`);
  return providerSettings(repo);
}

/** Sets where change requests are opened; GitHub/GitLab need the repository's token and a project Tideline can name. */
export async function setRepositoryProvider(deps: { prisma: PrismaClient; unseal: (sealed: string) => string }, id: string, input: RepositoryProviderInput) {
  const repo = await deps.prisma.repository.findUnique({ where: { id } });
  if (!repo) throw notFound(`Repository ${id} does not exist`);
  const next = { ...repo, provider: input.provider, providerApiUrl: input.providerApiUrl ?? null, providerProject: input.providerProject ?? null };
  if (next.provider !== "git") {
    if (!repo.encryptedToken) {
      throw invalid(
        `provider: ${repo.name} has no token; ${next.provider === "github" ? "GitHub" : "GitLab"} change requests need a token with API access (add the repository with one)`,
        { field: "provider" },
      );
    }
    try {
      providerFor(next, deps.unseal);
    } catch (e) {
      throw invalid(`providerProject: ${e instanceof AppError ? e.message : message(e)}; set the project (and API URL) explicitly`, {
        field: "providerProject",
      });
    }
  }
  const updated = await deps.prisma.repository.update({
    where: { id },
    data: { provider: next.provider, providerApiUrl: next.providerApiUrl, providerProject: next.providerProject },
  });
  return { before: providerSettings(repo), after: providerSettings(updated) };
}

// Changes a tracked repository's remote URL, credentials and change-request provider in one
// request. The token (and username) are dropped when the new settings would send them to a host
// they were not entered for (lib/repositories/credential-hosts.ts), unless the same request gives
// new ones; the answer and the audit record say so.
import { z } from "zod";
import type { PrismaClient, Repository } from "../generated/prisma/client";
import { AppError, invalid, notFound } from "../errors";
import { parseRemoteUrl } from "../git/remote-url";
import { probeRemote } from "../git/mirror";
import { PROVIDERS, providerFor } from "../changes/provider-for";
import { repositoryProviderInput } from "../changes/schemas";
import { newTokenHosts } from "./credential-hosts";

export const updateRepositoryInput = z
  .object({
    url: z.string().trim().min(1, "URL is required").max(2000).optional(),
    username: z.string().trim().max(200).nullable().optional(),
    // Write-only: undefined keeps the stored token, null or "" removes it.
    token: z.string().max(4000).nullable().optional(),
    provider: z.enum(PROVIDERS).optional(),
    providerApiUrl: repositoryProviderInput.shape.providerApiUrl,
    providerProject: repositoryProviderInput.shape.providerProject,
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.provider === "github" && v.providerProject && v.providerProject.split("/").length !== 2) {
      ctx.addIssue({ code: "custom", path: ["providerProject"], message: "must be OWNER/REPO for GitHub" });
    }
  });
export type UpdateRepositoryInput = z.infer<typeof updateRepositoryInput>;

export interface UpdateRepositoryDeps {
  prisma: PrismaClient;
  seal: (plain: string) => string;
  unseal: (sealed: string) => string;
}

const settings = (r: Pick<Repository, "url" | "username" | "provider" | "providerApiUrl" | "providerProject" | "encryptedToken">) => ({
  url: r.url,
  username: r.username,
  hasToken: r.encryptedToken !== null,
  provider: r.provider,
  providerApiUrl: r.providerApiUrl,
  providerProject: r.providerProject,
});

/** What a PATCH asked for, on top of the stored row (provider given: its API URL and project default to none). */
function nextState(repo: Repository, input: UpdateRepositoryInput) {
  const providerGiven = input.provider !== undefined;
  return {
    ...repo,
    url: input.url !== undefined ? parseRemoteUrl(input.url).toString() : repo.url,
    provider: input.provider ?? repo.provider,
    providerApiUrl: input.providerApiUrl !== undefined ? input.providerApiUrl : providerGiven ? null : repo.providerApiUrl,
    providerProject: input.providerProject !== undefined ? input.providerProject : providerGiven ? null : repo.providerProject,
  };
}

export async function updateRepository(deps: UpdateRepositoryDeps, id: string, input: UpdateRepositoryInput) {
  const repo = await deps.prisma.repository.findUnique({ where: { id } });
  if (!repo) throw notFound(`Repository ${id} does not exist`);
  const next = nextState(repo, input);

  // Credentials: new ones given win; otherwise the stored ones stay only if no new host would receive them.
  const tokenGiven = input.token !== undefined;
  const hadCredentials = repo.encryptedToken !== null;
  const newHosts = hadCredentials && !tokenGiven ? newTokenHosts(repo, next) : [];
  const credentialsCleared =
    newHosts.length > 0
      ? {
          hosts: newHosts,
          message: `The stored token was not sent to ${newHosts.join(", ")} and has been removed; enter the credentials for the new host again`,
        }
      : null;
  const username = input.username !== undefined ? input.username || null : credentialsCleared ? null : repo.username;
  const encryptedToken = tokenGiven ? (input.token ? deps.seal(input.token) : null) : credentialsCleared ? null : repo.encryptedToken;

  if (next.provider !== "git") {
    // A provider needs a token, except when it was just removed here: the answer then says to enter it again.
    if (!encryptedToken && !credentialsCleared) {
      throw invalid(
        `provider: ${repo.name} has no token; ${next.provider === "github" ? "GitHub" : "GitLab"} change requests need a token with API access (give one as token)`,
        { field: "provider" },
      );
    }
    try {
      providerFor({ ...next, encryptedToken: "unused" }, () => "unused");
    } catch (e) {
      throw invalid(`providerProject: ${e instanceof AppError ? e.message : String(e)}; set the project (and API URL) explicitly`, {
        field: "providerProject",
      });
    }
  }
  // A new remote must be a readable Git repository with the credentials it will be used with.
  if (next.url !== repo.url) {
    const token = tokenGiven ? input.token || null : encryptedToken ? deps.unseal(encryptedToken) : null;
    try {
      await probeRemote(next.url, { username, token });
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      const hint = credentialsCleared ? " (the stored token is not sent to a new host: give username and token again in the same request)" : "";
      throw new AppError(e.code, `url: ${e.message}${hint}`, { field: "url" });
    }
  }

  const updated = await deps.prisma.repository.update({
    where: { id },
    data: { url: next.url, username, encryptedToken, provider: next.provider, providerApiUrl: next.providerApiUrl, providerProject: next.providerProject },
  });
  return { before: settings(repo), after: settings(updated), credentialsCleared, repository: updated };
}

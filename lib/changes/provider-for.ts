// Picks where a repository's change requests live: Tideline itself ("git"), or GitHub /
// GitLab through their REST APIs with the repository's own (sealed) token.
import type { Repository } from "../generated/prisma/client";
import { AppError } from "../errors";
import type { ChangeRequestProvider } from "./providers/types";
import { githubProvider, parseGitHubRemote } from "./providers/github";
import { gitlabProvider, parseGitLabRemote } from "./providers/gitlab";

export const PROVIDERS = ["git", "github", "gitlab"] as const;
export type ProviderKind = (typeof PROVIDERS)[number];

type ProviderTarget = Pick<Repository, "name" | "url" | "provider" | "providerApiUrl" | "providerProject">;

/**
 * Where a repository's provider API lives and which project it addresses: the repository's own
 * settings, else what its remote URL says. A provider set explicitly on the repository means
 * self-hosted hosts count as GitHub Enterprise / self-managed GitLab. Null for "git".
 */
export function providerEndpoint(repo: ProviderTarget): { kind: "github" | "gitlab"; apiUrl: string; project: string } | null {
  if (repo.provider === "git") return null;
  if (repo.provider === "github") {
    const remote = repo.providerApiUrl && repo.providerProject ? null : parseGitHubRemote(repo.url, { enterprise: true })!;
    return { kind: "github", apiUrl: repo.providerApiUrl ?? remote!.apiUrl, project: repo.providerProject ?? `${remote!.owner}/${remote!.repo}` };
  }
  if (repo.provider === "gitlab") {
    const remote = repo.providerApiUrl && repo.providerProject ? null : parseGitLabRemote(repo.url, { selfManaged: true })!;
    return { kind: "gitlab", apiUrl: repo.providerApiUrl ?? remote!.apiUrl, project: repo.providerProject ?? remote!.projectPath };
  }
  throw new AppError("invalid", `Repository ${repo.name} has an unknown change request provider "${repo.provider}"`);
}

export function providerFor(repo: Repository, unseal: (sealed: string) => string): ChangeRequestProvider | null {
  if (repo.provider === "git") return null;
  const token = repo.encryptedToken ? unseal(repo.encryptedToken) : null;
  if (!token) throw new AppError("invalid", `Repository ${repo.name} uses ${repo.provider} change requests but has no token; add a token with API access`);
  const endpoint = providerEndpoint(repo)!;
  if (endpoint.kind === "github") {
    const [owner, name] = endpoint.project.split("/");
    return githubProvider({ apiUrl: endpoint.apiUrl, owner: owner!, repo: name!, token });
  }
  return gitlabProvider({ apiUrl: endpoint.apiUrl, projectPath: endpoint.project, token });
}

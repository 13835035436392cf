// Picks where a repository's change requests live: Tideline itself ("git"), or GitHub /
// GitLab through their REST APIs with the repository's own (sealed) token.
import type { Repository } from "../generated/prisma/client";
import { AppError } from "../errors";
import type { ChangeRequestProvider } from "./providers/types";
import { githubProvider, parseGitHubRemote } from "./providers/github";
import { gitlabProvider, parseGitLabRemote } from "./providers/gitlab";

export const PROVIDERS = ["git", "github", "gitlab"] as const;
export type ProviderKind = (typeof PROVIDERS)[number];

export function providerFor(repo: Repository, unseal: (sealed: string) => string): ChangeRequestProvider | null {
  if (repo.provider === "git") return null;
  const token = repo.encryptedToken ? unseal(repo.encryptedToken) : null;
  if (!token) throw new AppError("invalid", `Repository ${repo.name} uses ${repo.provider} change requests but has no token; add a token with API access`);
  if (repo.provider === "github") {
    // A provider set explicitly on the repository means self-hosted hosts count as GitHub Enterprise.
    // The remote URL is only consulted for what the repository's settings leave out.
    const remote = repo.providerApiUrl && repo.providerProject ? null : parseGitHubRemote(repo.url, { enterprise: true })!;
    const [owner, name] = (repo.providerProject ?? `${remote!.owner}/${remote!.repo}`).split("/");
    return githubProvider({ apiUrl: repo.providerApiUrl ?? remote!.apiUrl, owner: owner!, repo: name!, token });
  }
  if (repo.provider === "gitlab") {
    const remote = repo.providerApiUrl && repo.providerProject ? null : parseGitLabRemote(repo.url, { selfManaged: true })!;
    return gitlabProvider({ apiUrl: repo.providerApiUrl ?? remote!.apiUrl, projectPath: repo.providerProject ?? remote!.projectPath, token });
  }
  throw new AppError("invalid", `Repository ${repo.name} has an unknown change request provider "${repo.provider}"`);
}

// A repository's token was entered for certain hosts: its Git remote, and the provider API that
// remote implies (api.github.com for github.com, the same host for GitHub Enterprise or GitLab) or
// that an admin set beside it. Settings that would send the token anywhere else drop it instead:
// it must be entered again for the new host (an admin setting must not forward a secret it cannot read).
import type { Repository } from "../generated/prisma/client";
import { providerEndpoint } from "../changes/provider-for";
import { parseGitHubRemote } from "../changes/providers/github";
import { parseGitLabRemote } from "../changes/providers/gitlab";

export type CredentialState = Pick<Repository, "name" | "url" | "provider" | "providerApiUrl" | "providerProject">;

/** scheme://host[:port] of a URL, or null when it does not parse. */
export function originOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.host ? `${parsed.protocol}//${parsed.host}`.toLowerCase() : null;
  } catch {
    return null;
  }
}

const quietly = <T>(fn: () => T): T | null => {
  try {
    return fn();
  } catch {
    return null;
  }
};

/** Every origin the token was entered for in this state. */
function trustedOrigins(s: CredentialState): Set<string> {
  const candidates = [
    s.url,
    quietly(() => parseGitHubRemote(s.url, { enterprise: true })?.apiUrl),
    quietly(() => parseGitLabRemote(s.url, { selfManaged: true })?.apiUrl),
    s.providerApiUrl,
  ];
  return new Set(candidates.map(originOf).filter((o): o is string => o !== null));
}

/** Every origin this state would send the token to: the remote, and the provider API when one is used. */
function destinations(s: CredentialState): string[] {
  const api = quietly(() => providerEndpoint(s))?.apiUrl ?? null;
  return [originOf(s.url) ?? s.url, ...(s.provider !== "git" && api ? [originOf(api) ?? api] : [])];
}

/** The origins `after` would send the token to that `before` never did (empty: the token may stay). */
export function newTokenHosts(before: CredentialState, after: CredentialState): string[] {
  const trusted = trustedOrigins(before);
  return [...new Set(destinations(after).filter((o) => !trusted.has(o)))];
}

// Which repositories an organization hook's delivery may be for, before it is verified: GitHub's
// organization `ping` names only the organization (login, and its API URL, which gives the host).
const obj = (value: unknown): Record<string, unknown> => (value && typeof value === "object" ? (value as Record<string, unknown>) : {});

export type ClaimedOrganization = { login: string; host: string | null };

/** The web host behind an API URL: api.github.com -> github.com; GitHub Enterprise keeps its host. */
function webHostOf(apiUrl: unknown): string | null {
  if (typeof apiUrl !== "string") return null;
  try {
    const host = new URL(apiUrl).hostname.toLowerCase();
    return host === "api.github.com" ? "github.com" : host;
  } catch {
    return null;
  }
}

/** The organization an (unverified) payload names: GitHub `organization.login`, Gitea `organization.username`. */
export function claimedOrganization(json: unknown): ClaimedOrganization | null {
  const org = obj(obj(json).organization);
  const login = typeof org.login === "string" ? org.login : typeof org.username === "string" ? org.username : null;
  if (!login || !/^[A-Za-z0-9._-]{1,100}$/.test(login)) return null;
  return { login: login.toLowerCase(), host: webHostOf(org.url) };
}

/** Owner (first path segment, lowercased) and host of a repository URL (https, ssh or scp-like). */
export function repoOwnerOf(url: string): { login: string; host: string } | null {
  let text = url.trim();
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/.exec(text);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text) && scp) text = `ssh://${scp[1]}/${scp[2]}`;
  try {
    const parsed = new URL(text);
    const login = parsed.pathname.split("/").filter(Boolean)[0];
    return login ? { login: login.toLowerCase(), host: parsed.hostname.toLowerCase() } : null;
  } catch {
    return null;
  }
}

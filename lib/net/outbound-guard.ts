// Nothing may reach an address the operator did not allow: URLs that users enter (notification
// webhooks, Slack hooks) are checked against TIDELINE_OUTBOUND_HOSTS when saved and again before
// every request (the list may have changed since), and their credentials are masked when shown.
import { invalid } from "../errors";

/** "host", "host:port" or "*.example.com"; a bare host allows any port. */
export function hostAllowed(url: URL, allowed: string[]): boolean {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  const withPort = url.port ? `${host}:${url.port}` : host;
  return allowed.some((raw) => {
    const entry = raw.trim().toLowerCase();
    if (!entry) return false;
    if (entry.startsWith("*.")) return host.endsWith(entry.slice(1));
    return entry === host || entry === withPort;
  });
}

/** Parses and checks a destination URL; `field` names the input in the 422. */
export function assertAllowedDestination(raw: string, allowed: string[], field = "url"): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(`${field}: not a valid URL`, { field });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw invalid(`${field}: only http(s) URLs are allowed, not ${url.protocol}`, { field });
  if (!hostAllowed(url, allowed)) {
    const list = allowed.length ? `allowed hosts: ${allowed.join(", ")}` : "no outbound host is allowed on this server";
    throw invalid(`${field}: ${url.host} is not an address Tideline may call (${list}; TIDELINE_OUTBOUND_HOSTS)`, { field, host: url.host });
  }
  return url;
}

/** The URL with user:password, query values and Slack's secret path masked (for lists and errors). */
export function maskUrl(raw: string): string {
  try {
    const url = new URL(raw);
    const auth = url.username || url.password ? "***@" : "";
    let path = url.pathname;
    // Slack incoming webhooks carry their secret in the path: /services/T.../B.../<secret>.
    const parts = path.split("/");
    if (parts[1] === "services" && parts.length > 2) path = [...parts.slice(0, Math.min(parts.length - 1, 4)), "***"].join("/");
    const query = [...url.searchParams.keys()].map((k) => `${k}=***`).join("&");
    return `${url.protocol}//${auth}${url.host}${path}${query ? `?${query}` : ""}`;
  } catch {
    return "(invalid URL)";
  }
}

/** Replaces every occurrence of the secret URLs (and credentials in any URL) in a message. */
export function maskSecretsIn(text: string, urls: Array<string | null | undefined>): string {
  let out = text;
  for (const u of urls) if (u) out = out.split(u).join(maskUrl(u));
  return out.replace(/(\w+:\/\/)[^/\s:@]+:[^/\s@]+@/g, "$1***@");
}

// What a Git webhook delivery claims before it is verified: its JSON body (GitHub may send it
// form-encoded), the repository URLs it names, and its event and delivery id headers.
import { normalizeRepoUrl } from "./git-push";
import type { WebhookProvider } from "./verify";

export const WEBHOOK_PROVIDERS: readonly WebhookProvider[] = ["github", "gitlab", "gitea", "generic"];
export const isWebhookProvider = (value: string): value is WebhookProvider => (WEBHOOK_PROVIDERS as readonly string[]).includes(value);

/** The body as JSON; GitHub hooks set to "application/x-www-form-urlencoded" send it as `payload=<json>`. */
export function parseJsonBody(rawBody: Buffer, contentType: string | null): { ok: true; json: unknown } | { ok: false; reason: string } {
  let text = rawBody.toString("utf8");
  if (contentType?.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    const payload = new URLSearchParams(text).get("payload");
    if (payload === null) return { ok: false, reason: "form-encoded body has no payload field; set the hook's content type to application/json" };
    text = payload;
  }
  if (!text.trim()) return { ok: false, reason: "body is empty; expected a JSON payload" };
  try {
    return { ok: true, json: JSON.parse(text) };
  } catch {
    return { ok: false, reason: "body is not valid JSON" };
  }
}

const str = (value: unknown): string | null => (typeof value === "string" && value.trim() ? value : null);
const obj = (value: unknown): Record<string, unknown> => (value && typeof value === "object" ? (value as Record<string, unknown>) : {});

/**
 * Repository URLs an (unverified) payload names, normalized: GitHub/Gitea `repository.*_url`,
 * GitLab `project.*` and `repository.*`, or the generic format's `repository` string.
 */
export function claimedRepoUrls(json: unknown): string[] {
  const body = obj(json);
  const repository = body.repository;
  const candidates: (string | null)[] = [];
  if (typeof repository === "string") candidates.push(str(repository));
  const r = obj(repository);
  const p = obj(body.project);
  for (const key of ["clone_url", "html_url", "ssh_url", "git_url", "url", "git_http_url", "git_ssh_url", "homepage"]) candidates.push(str(r[key]));
  for (const key of ["git_http_url", "git_ssh_url", "web_url", "http_url", "ssh_url"]) candidates.push(str(p[key]));
  const urls = new Set<string>();
  for (const candidate of candidates) {
    if (!candidate) continue;
    if (/^https?:\/\/api\./i.test(candidate) || /\/api\/v\d+\//i.test(candidate)) continue;
    urls.add(normalizeRepoUrl(candidate));
  }
  return [...urls];
}

const EVENT_HEADER: Record<WebhookProvider, string> = {
  github: "x-github-event",
  gitlab: "x-gitlab-event",
  gitea: "x-gitea-event",
  generic: "x-tideline-event",
};
const DELIVERY_HEADERS: Record<WebhookProvider, string[]> = {
  github: ["x-github-delivery"],
  gitlab: ["x-gitlab-event-uuid", "idempotency-key"],
  gitea: ["x-gitea-delivery"],
  generic: ["x-tideline-delivery"],
};

/** The event header as sent (untrusted until verified), trimmed to a sane length for the record. */
export function claimedEvent(provider: WebhookProvider, headers: Headers): string | null {
  const value = headers.get(EVENT_HEADER[provider])?.trim();
  if (value) return value.slice(0, 100);
  return provider === "generic" ? "push" : null;
}

/** The delivery id header as sent (untrusted until verified). */
export function claimedDeliveryId(provider: WebhookProvider, headers: Headers): string | null {
  for (const name of DELIVERY_HEADERS[provider]) {
    const value = headers.get(name)?.trim();
    if (value) return value.slice(0, 200);
  }
  return null;
}

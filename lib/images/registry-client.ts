// Reads container registries over the Docker Registry HTTP API V2 / OCI Distribution spec:
// lists tags (following Link pagination) and looks up manifest digests, with anonymous, Basic and Bearer auth.
import { createHash } from "node:crypto";
import { AppError } from "../errors";

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface ImageRepository {
  registry: string; // host[:port], e.g. "docker.io", "127.0.0.1:5000"
  repository: string; // path inside the registry, e.g. "library/nginx"
  baseUrl: string; // scheme://host[:port] the API is served from
}

export interface RegistryRequestOptions {
  image: string;
  credentials?: RegistryCredentials | null;
  insecure?: boolean; // plain HTTP for hosts other than localhost/127.x
  fetchImpl?: typeof fetch;
  timeoutMs?: number; // per HTTP request, default 15 s
}

export interface ListTagsOptions extends RegistryRequestOptions {
  pageSize?: number; // the `n` query parameter, default 1000
}

export interface ListTagsResult {
  tags: string[];
  requests: number; // every HTTP request made, token requests included
}

const DOCKER_HUB = "docker.io";
const DOCKER_HUB_ALIASES = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOSTNAME = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/;
const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");
const MAX_PAGES = 10_000;

/** Splits an image repository reference ("nginx", "ghcr.io/org/app", "localhost:5000/app") into registry and path. */
export function parseImageRepository(ref: string, opts: { insecure?: boolean } = {}): ImageRepository {
  const bad = (why: string) => new AppError("invalid", `Image "${ref}" is not a valid repository reference: ${why}`, { field: "image" });
  const input = ref.trim();
  if (!input) throw bad("it is empty");
  if (/\s/.test(input)) throw bad("it contains whitespace");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) throw bad("leave out the scheme (http:// or https://); use the insecure option for plain HTTP");
  if (input.includes("@")) throw bad("give the repository without a digest (@sha256:...)");
  const parts = input.split("/");
  const first = parts[0]!;
  const hasHost = parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost" || first.startsWith("["));
  let registry = hasHost ? first : DOCKER_HUB;
  const pathParts = hasHost ? parts.slice(1) : parts;
  if (hasHost) checkHost(registry, bad);
  if (DOCKER_HUB_ALIASES.has(registry.toLowerCase())) registry = DOCKER_HUB;
  if (!hasHost && parts.length === 1 && /^(localhost|[^:]*\.[^:]*):\d+$/.test(first))
    throw bad("it names only a registry host; add the repository path (host/name)");
  const last = pathParts[pathParts.length - 1] ?? "";
  if (last.includes(":")) throw bad(`give the repository without a tag (remove ":${last.split(":").pop()}")`);
  if (pathParts.some((p) => p === "")) throw bad("it has an empty path segment (check for a leading, trailing or doubled '/')");
  for (const p of pathParts) {
    if (p !== p.toLowerCase()) throw bad(`repository names must be lowercase ("${p}")`);
    if (!PATH_COMPONENT.test(p)) throw bad(`"${p}" may only contain lowercase letters, digits and single separators (. _ __ -) between them`);
  }
  if (registry === DOCKER_HUB && pathParts.length === 1) pathParts.unshift("library");
  const repository = pathParts.join("/");
  if (repository.length > 255) throw bad("the repository path is longer than 255 characters");
  const hostOnly = registry.startsWith("[") ? registry.slice(0, registry.indexOf("]") + 1) : registry.split(":")[0]!;
  const local = hostOnly === "localhost" || hostOnly === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostOnly);
  const scheme = local || opts.insecure ? "http" : "https";
  const baseUrl = registry === DOCKER_HUB ? "https://registry-1.docker.io" : `${scheme}://${registry}`;
  return { registry, repository, baseUrl };
}

function checkHost(host: string, bad: (why: string) => AppError): void {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d+))?$/.exec(host);
  if (!m) throw bad(`"${host}" is not a valid registry host[:port]`);
  if (!m[1]!.startsWith("[") && !HOSTNAME.test(m[1]!)) throw bad(`"${m[1]}" is not a valid registry host name`);
  if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)) throw bad(`port ${m[2]} is out of range (1-65535)`);
}

/** Every tag of the repository, following `Link: <...>; rel="next"` pages until the registry has no more. */
export async function listTags(opts: ListTagsOptions): Promise<ListTagsResult> {
  const pageSize = opts.pageSize ?? 1000;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new AppError("invalid", `pageSize must be a positive integer (got ${pageSize})`);
  const s = session(opts);
  const tags = new Set<string>();
  const seen = new Set<string>();
  let url: string | null = `${s.repo.baseUrl}/v2/${s.repo.repository}/tags/list?n=${pageSize}`;
  while (url) {
    if (seen.has(url)) throw s.fail("unreachable", `sent a pagination loop (${url} again)`);
    if (seen.size >= MAX_PAGES) throw s.fail("unreachable", `sent more than ${MAX_PAGES} pages of tags`);
    seen.add(url);
    const res = await send(s, "GET", url, { Accept: "application/json" });
    await ensureOk(s, res);
    const body = (await res.json().catch(() => null)) as { tags?: unknown } | null;
    if (!body || (body.tags !== null && body.tags !== undefined && !Array.isArray(body.tags))) {
      throw s.fail("unreachable", "answered the tag list with something that is not a tag list");
    }
    for (const t of (body.tags as unknown[] | null) ?? []) if (typeof t === "string") tags.add(t);
    url = nextLink(res.headers.get("link"), url);
    if (url && new URL(url).origin !== new URL(s.repo.baseUrl).origin) {
      throw s.fail("unreachable", `sent a pagination link to another host (${new URL(url).host}); not following it`);
    }
  }
  return { tags: [...tags], requests: s.requests };
}

/** The digest (Docker-Content-Digest) of the manifest or index a tag points to. */
export async function getManifestDigest(opts: RegistryRequestOptions & { tag: string }): Promise<string> {
  if (!/^[\w][\w.-]{0,127}$/.test(opts.tag)) throw new AppError("invalid", `"${opts.tag}" is not a valid tag`, { field: "tag" });
  const s = session(opts);
  const url = `${s.repo.baseUrl}/v2/${s.repo.repository}/manifests/${opts.tag}`;
  const head = await send(s, "HEAD", url, { Accept: MANIFEST_ACCEPT });
  await ensureOk(s, head, opts.tag);
  const digest = head.headers.get("docker-content-digest");
  if (digest) return digest;
  // Some registries omit the header on HEAD: the digest is then the SHA-256 of the manifest bytes.
  const res = await send(s, "GET", url, { Accept: MANIFEST_ACCEPT });
  await ensureOk(s, res, opts.tag);
  const bytes = Buffer.from(await res.arrayBuffer());
  return res.headers.get("docker-content-digest") ?? `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

// ---------------------------------------------------------------- requests and auth

interface Session {
  repo: ImageRepository;
  image: string;
  credentials: RegistryCredentials | null;
  credentialKey: string;
  fetchImpl: typeof fetch;
  timeoutMs: number;
  requests: number;
  authorization?: string; // what worked last, reused for the next pages
  fail(code: "unreachable" | "upstream_auth" | "not_found" | "invalid", what: string, details?: Record<string, unknown>): AppError;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

const tokenCache = new Map<string, CachedToken>();
const basicHosts = new Set<string>(); // registry|credentialKey pairs known to want Basic auth
const TOKEN_CACHE_MAX = 500;

/** Forgets cached bearer tokens (tests, credential changes). */
export function clearRegistryTokenCache(): void {
  tokenCache.clear();
  basicHosts.clear();
}

function session(opts: RegistryRequestOptions): Session {
  const repo = parseImageRepository(opts.image, { insecure: opts.insecure });
  const credentials = opts.credentials?.username || opts.credentials?.password ? opts.credentials : null;
  const image = `${repo.registry}/${repo.repository}`;
  return {
    repo,
    image,
    credentials,
    // A hash, so the cache never holds a password and a wrong password never reuses a good token.
    credentialKey: credentials ? createHash("sha256").update(`${credentials.username}\0${credentials.password}`).digest("hex").slice(0, 32) : "anonymous",
    fetchImpl: opts.fetchImpl ?? fetch,
    timeoutMs: opts.timeoutMs ?? 15_000,
    requests: 0,
    fail: (code, what, details) => new AppError(code, `Registry ${repo.registry} ${what} for image ${image}`, details),
  };
}

async function rawFetch(s: Session, method: string, url: string, headers: Record<string, string>, host = s.repo.registry): Promise<Response> {
  s.requests++;
  try {
    return await s.fetchImpl(url, { method, headers, redirect: "follow", signal: AbortSignal.timeout(s.timeoutMs) });
  } catch (error) {
    throw new AppError("unreachable", `Cannot reach registry ${host} for image ${s.image}: ${describeNetworkError(error, s.timeoutMs)}`);
  }
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return `no answer within ${Math.round(timeoutMs / 1000)} s (timeout)`;
  const code = e?.cause?.code ?? "";
  if (code === "ECONNREFUSED") return "connection refused (is the registry running and the port right?)";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "the host name could not be resolved (DNS lookup failed)";
  if (code === "ECONNRESET") return "the connection was reset";
  if (code.includes("TIMEOUT") || code === "ETIMEDOUT") return "the connection timed out";
  if (code.startsWith("ERR_TLS") || code.includes("CERT") || code === "EPROTO")
    return `TLS failed (${e.cause?.message ?? code}); for a plain-HTTP registry set insecure`;
  return e?.cause?.message ?? e?.message ?? String(error);
}

/** One registry request with the auth dance: anonymous (or cached auth) first, then the challenge's scheme. */
async function send(s: Session, method: string, url: string, headers: Record<string, string>): Promise<Response> {
  const scopeGuess = `repository:${s.repo.repository}:pull`;
  let authorization = s.authorization ?? cachedAuthorization(s, scopeGuess);
  const first = await rawFetch(s, method, url, withAuth(headers, authorization));
  if (first.status !== 401) {
    if (authorization) s.authorization = authorization;
    return first;
  }
  const challenge = parseChallenges(first.headers.get("www-authenticate"));
  await drain(first);
  const usedCache = authorization !== undefined && authorization !== s.authorization;
  if (authorization && !usedCache) throw authFailed(s);
  if (usedCache) forgetCached(s, scopeGuess);
  authorization = await authorize(s, challenge, scopeGuess);
  const second = await rawFetch(s, method, url, withAuth(headers, authorization));
  if (second.status === 401) {
    await drain(second);
    throw authFailed(s);
  }
  s.authorization = authorization;
  if (authorization.startsWith("Basic ")) {
    if (basicHosts.size >= TOKEN_CACHE_MAX) basicHosts.clear();
    basicHosts.add(`${s.repo.registry}|${s.credentialKey}`);
  }
  return second;
}

const withAuth = (headers: Record<string, string>, authorization?: string) => (authorization ? { ...headers, Authorization: authorization } : headers);

function authFailed(s: Session): AppError {
  return s.credentials ? s.fail("upstream_auth", "rejected the credentials given") : s.fail("upstream_auth", "requires credentials (none were given)");
}

function cachedAuthorization(s: Session, scope: string): string | undefined {
  const hit = tokenCache.get(`${s.repo.registry}|${scope}|${s.credentialKey}`);
  if (hit && hit.expiresAt > Date.now()) return `Bearer ${hit.token}`;
  if (hit) tokenCache.delete(`${s.repo.registry}|${scope}|${s.credentialKey}`);
  if (s.credentials && basicHosts.has(`${s.repo.registry}|${s.credentialKey}`)) return basicHeader(s.credentials);
  return undefined;
}

function forgetCached(s: Session, scope: string): void {
  tokenCache.delete(`${s.repo.registry}|${scope}|${s.credentialKey}`);
  basicHosts.delete(`${s.repo.registry}|${s.credentialKey}`);
}

const basicHeader = (c: RegistryCredentials) => `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;

async function authorize(s: Session, challenges: Challenge[], scopeGuess: string): Promise<string> {
  const bearer = challenges.find((c) => c.scheme === "bearer");
  const basic = challenges.find((c) => c.scheme === "basic");
  if (bearer?.params.realm) return `Bearer ${await fetchToken(s, bearer.params, scopeGuess)}`;
  if (basic || challenges.length === 0) {
    if (!s.credentials) throw authFailed(s);
    return basicHeader(s.credentials);
  }
  throw s.fail("upstream_auth", `asks for an unsupported auth scheme (${challenges.map((c) => c.scheme).join(", ")})`);
}

async function fetchToken(s: Session, params: Record<string, string>, scopeGuess: string): Promise<string> {
  const scope = params.scope || scopeGuess;
  let realm: URL;
  try {
    realm = new URL(params.realm!);
  } catch {
    throw s.fail("upstream_auth", `sent a token realm that is not a URL (${params.realm})`);
  }
  if (params.service) realm.searchParams.set("service", params.service);
  realm.searchParams.set("scope", scope);
  const headers: Record<string, string> = { Accept: "application/json" };
  if (s.credentials) headers.Authorization = basicHeader(s.credentials);
  const res = await rawFetch(s, "GET", realm.toString(), headers, `${s.repo.registry} (token service ${realm.host})`);
  const where = `'s token service (${realm.host})`;
  if (res.status === 401 || res.status === 403) {
    await drain(res);
    const who = s.credentials ? "rejected the credentials given" : "requires credentials (none were given)";
    throw new AppError("upstream_auth", `Registry ${s.repo.registry}${where} ${who} for image ${s.image}`);
  }
  if (res.status === 429) throw rateLimited(s, res, `Registry ${s.repo.registry}${where}`);
  if (!res.ok) {
    await drain(res);
    throw new AppError("unreachable", `Registry ${s.repo.registry}${where} answered HTTP ${res.status} for image ${s.image}`);
  }
  const body = (await res.json().catch(() => null)) as { token?: unknown; access_token?: unknown; expires_in?: unknown } | null;
  const token = typeof body?.token === "string" && body.token ? body.token : typeof body?.access_token === "string" ? body.access_token : "";
  if (!token) throw new AppError("upstream_auth", `Registry ${s.repo.registry}${where} gave no token for image ${s.image}`);
  // The spec's default lifetime is 60 s; renew a little early so a token never expires in flight.
  const lifetime = typeof body?.expires_in === "number" && body.expires_in > 0 ? body.expires_in : 60;
  if (tokenCache.size >= TOKEN_CACHE_MAX) tokenCache.delete(tokenCache.keys().next().value!);
  // Keyed by the pull scope this client asks for, which is what the next call looks up.
  tokenCache.set(`${s.repo.registry}|${scopeGuess}|${s.credentialKey}`, { token, expiresAt: Date.now() + lifetime * 1000 - Math.min(10_000, lifetime * 100) });
  return token;
}

/** Turns a non-2xx answer into the AppError people can act on; `tag` is set for manifest lookups. */
async function ensureOk(s: Session, res: Response, tag?: string): Promise<void> {
  if (res.ok) return;
  if (res.status === 429) throw rateLimited(s, res, `Registry ${s.repo.registry}`);
  const detail = await errorDetail(res);
  const action = tag === undefined ? "listing tags" : `looking up tag "${tag}"`;
  if (res.status === 403) {
    const who = s.credentials ? "the credentials given have" : "anonymous access has";
    throw s.fail("upstream_auth", `refused access (HTTP 403${detail}): ${who} no pull rights`);
  }
  if (res.status === 404) {
    if (tag !== undefined) throw s.fail("not_found", `has no tag "${tag}" (or no such repository)`);
    throw s.fail("not_found", `has no repository "${s.repo.repository}" (HTTP 404${detail})`);
  }
  if (res.status >= 500) throw s.fail("unreachable", `answered HTTP ${res.status}${detail} when ${action}`);
  throw s.fail("invalid", `answered HTTP ${res.status}${detail} when ${action}`);
}

function rateLimited(s: Session, res: Response, who: string): AppError {
  void drain(res);
  const retryAfterSeconds = parseRetryAfter(res.headers.get("retry-after"));
  const when = retryAfterSeconds === null ? "later" : `in ${retryAfterSeconds} s`;
  return new AppError("rate_limited", `${who} is rate limiting requests for image ${s.image}; try again ${when}`, { retryAfterSeconds });
}

export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

async function errorDetail(res: Response): Promise<string> {
  const text = await res.text().catch(() => "");
  try {
    const first = (JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> }).errors?.[0];
    if (first?.code || first?.message) return `: ${[first.code, first.message].filter(Boolean).join(" ").slice(0, 200)}`;
  } catch {
    // not JSON: say nothing more
  }
  return "";
}

async function drain(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => {});
}

// ---------------------------------------------------------------- header parsing

interface Challenge {
  scheme: string; // lowercase
  params: Record<string, string>;
}

/** Parses `WWW-Authenticate` (RFC 7235), which may hold several challenges and quoted commas. */
export function parseChallenges(header: string | null): Challenge[] {
  const out: Challenge[] = [];
  if (!header) return out;
  const token = /\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*/y;
  const param = /\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*,?/y;
  let i = 0;
  while (i < header.length) {
    token.lastIndex = i;
    const t = token.exec(header);
    if (!t) break;
    i = token.lastIndex;
    const challenge: Challenge = { scheme: t[1]!.toLowerCase(), params: {} };
    out.push(challenge);
    for (;;) {
      param.lastIndex = i;
      const p = param.exec(header);
      if (!p) break;
      challenge.params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, "$1") : p[3]!;
      i = param.lastIndex;
    }
    while (header[i] === "," || header[i] === " ") i++;
  }
  return out;
}

/** The `rel="next"` target of an RFC 5988 Link header, resolved against the request URL. */
export function nextLink(header: string | null, requestUrl: string): string | null {
  if (!header) return null;
  for (const m of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(m[2] ?? "");
    const rels = (rel?.[1] ?? rel?.[2] ?? "").toLowerCase().split(/\s+/);
    if (rels.includes("next")) return new URL(m[1]!, requestUrl).toString();
  }
  return null;
}

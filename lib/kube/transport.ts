// The one place Tideline talks HTTP to a Kubernetes API server: authentication comes from
// @kubernetes/client-node's KubeConfig; failures become errors naming the cluster and the cause.
import { KubeConfig, RequestContext, HttpMethod } from "@kubernetes/client-node";
import { fetch, type Dispatcher } from "undici";
import { AppError } from "../errors";
import { sandboxExecPlugins } from "./exec-sandbox";
import { assertStoredKubeconfig } from "./kubeconfig";
import { kubeconfigPolicy, type KubeconfigPolicy } from "./kubeconfig-policy";
import { kubeVerb } from "../metrics/labels";
import { metrics, secondsSince } from "../metrics/registry";

export type KubeFailure = "tls" | "unauthorized" | "forbidden" | "dns" | "timeout" | "refused" | "not_found" | "gone" | "conflict" | "invalid" | "http";

export class KubeError extends AppError {
  constructor(
    readonly failure: KubeFailure,
    message: string,
    readonly statusCode?: number,
    readonly kubeStatus?: unknown,
  ) {
    super(failure === "not_found" ? "not_found" : failure === "conflict" ? "conflict" : failure === "invalid" ? "invalid" : "unreachable", message);
  }
}

export interface KubeClient {
  name: string;
  server: string;
  kc: KubeConfig;
}

export function clientFromKubeconfig(name: string, kubeconfig: string, policy: KubeconfigPolicy = kubeconfigPolicy()): KubeClient {
  // Checked before loading: client-node reads token files while it loads.
  assertStoredKubeconfig(kubeconfig, policy);
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  sandboxExecPlugins(kc, name, policy);
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new AppError("invalid", `Cluster ${name}: kubeconfig has no server`);
  return { name, server, kc };
}

export function inClusterClient(name: string): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromCluster();
  return { name, server: kc.getCurrentCluster()!.server, kc };
}

const TLS_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_HAS_EXPIRED",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_SIGNATURE_FAILURE",
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "EPROTO",
]);

function networkCause(error: unknown): { code?: string; message: string } {
  let e = error as { code?: string; message?: string; cause?: unknown; name?: string } | undefined;
  for (let i = 0; i < 5 && e; i++) {
    // AbortSignal.timeout() rejects with a DOMException whose numeric code is not a Node error code.
    if (e.name === "TimeoutError") return { code: "ETIMEDOUT", message: e.message ?? "timeout" };
    if (typeof e.code === "string") return { code: e.code, message: e.message ?? String(e) };
    e = e.cause as typeof e;
  }
  return { message: (error as Error)?.message ?? String(error) };
}

export function describeNetworkError(client: KubeClient, error: unknown): KubeError {
  if (error instanceof KubeError) return error;
  const { code, message } = networkCause(error);
  const where = `cluster ${client.name} (${client.server})`;
  if (code && (TLS_CODES.has(code) || code.startsWith("ERR_TLS") || code.startsWith("ERR_SSL"))) {
    return new KubeError("tls", `TLS verification failed for ${where}: ${code} — the CA in the kubeconfig does not match the server's certificate`);
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new KubeError("dns", `DNS lookup failed for ${where}: check the server address`);
  if (code === "ECONNREFUSED") return new KubeError("refused", `Connection refused by ${where}: is the API server running?`);
  if (code === "ETIMEDOUT" || code === "UND_ERR_CONNECT_TIMEOUT" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "ABORT_ERR") {
    return new KubeError("timeout", `Timed out talking to ${where}`);
  }
  if (code === "ECONNRESET" || code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "UND_ERR_SOCKET") {
    return new KubeError("refused", `${where} is unreachable (${code})`);
  }
  return new KubeError("http", `Request to ${where} failed: ${code ? `${code}: ` : ""}${message}`);
}

function describeStatus(client: KubeClient, status: number, body: unknown, what: string): KubeError {
  const message = (body as { message?: string })?.message ?? "";
  const where = `cluster ${client.name}`;
  switch (status) {
    case 401:
      return new KubeError(
        "unauthorized",
        `${where} rejected the credentials (HTTP 401) — the token or client certificate is invalid or expired`,
        status,
        body,
      );
    case 403:
      return new KubeError("forbidden", `${where} forbids ${what} (HTTP 403): ${message}`, status, body);
    case 404:
      return new KubeError("not_found", `${where}: ${what} not found (HTTP 404)${message ? `: ${message}` : ""}`, status, body);
    case 409:
      return new KubeError("conflict", `${where}: conflict on ${what} (HTTP 409): ${message}`, status, body);
    case 410:
      return new KubeError("gone", `${where}: ${what} expired (HTTP 410): ${message}`, status, body);
    case 422:
      return new KubeError("invalid", `${where}: ${what} is invalid (HTTP 422): ${message}`, status, body);
    default:
      return new KubeError("http", `${where}: ${what} failed with HTTP ${status}${message ? `: ${message}` : ""}`, status, body);
  }
}

// client-node builds a new undici Agent (a new TLS connection) for every request; keeping
// the first one per client reuses connections (3x faster small requests). Headers are still
// computed per request, so refreshed tokens keep working.
const dispatchers = new WeakMap<KubeClient, Dispatcher>();

export async function authenticate(
  client: KubeClient,
  url: string,
  method: keyof typeof HttpMethod,
): Promise<{ headers: Record<string, string>; dispatcher: Dispatcher | undefined }> {
  const ctx = new RequestContext(url, HttpMethod[method]);
  await client.kc.applySecurityAuthentication(ctx);
  const fresh = ctx.getDispatcher() as Dispatcher | undefined;
  let kept = dispatchers.get(client);
  if (!kept && fresh) dispatchers.set(client, (kept = fresh));
  else if (fresh && fresh !== kept) void fresh.close().catch(() => {});
  return { headers: ctx.getHeaders() as Record<string, string>, dispatcher: kept };
}

export function closeConnections(client: KubeClient): void {
  const kept = dispatchers.get(client);
  dispatchers.delete(client);
  void kept?.close().catch(() => {});
}

export interface KubeRequest {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export async function kubeRequest<T = unknown>(
  client: KubeClient,
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE",
  apiPath: string,
  req: KubeRequest = {},
): Promise<T> {
  const url = new URL(client.server.replace(/\/$/, "") + apiPath);
  for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  const auth = await authenticate(client, url.toString(), method);
  const headers: Record<string, string> = { ...auth.headers, Accept: "application/json" };
  let body: string | undefined;
  if (req.body !== undefined) {
    headers["Content-Type"] = req.contentType ?? "application/json";
    body = typeof req.body === "string" ? req.body : JSON.stringify(req.body);
  }
  let res;
  const verb = kubeVerb(method, apiPath, req.contentType);
  const started = performance.now();
  try {
    const timeout = AbortSignal.timeout(req.timeoutMs ?? 15_000);
    res = await fetch(url, { method, headers, body, dispatcher: auth.dispatcher, signal: req.signal ? AbortSignal.any([timeout, req.signal]) : timeout });
  } catch (error) {
    const failure = describeNetworkError(client, error);
    metrics().kubeRequests.inc({ cluster: client.name, verb, code: failure.failure });
    throw failure;
  }
  metrics().kubeRequests.inc({ cluster: client.name, verb, code: String(res.status) });
  metrics().kubeRequestDuration.observe({ verb }, secondsSince(started));
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = { message: text.slice(0, 200) };
  }
  if (!res.ok) throw describeStatus(client, res.status, json, `${method} ${apiPath}`);
  return json as T;
}

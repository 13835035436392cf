// A small client for Tideline's public HTTP API: JSON in and out, `Authorization: Bearer`, and
// the server's error answer ({ error: { code, message, issues? } }) turned into an ApiError.
import { CliError, EXIT, type ExitCode } from "./errors";

export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    details: string[],
  ) {
    super(message, exitCodeFor(status), details);
    this.name = "ApiError";
  }
}

function exitCodeFor(status: number): ExitCode {
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 400 || status === 404 || status === 413 || status === 422) return EXIT.usage;
  return EXIT.failed;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** Extra headers (the session cookie while logging in). */
  headers?: Record<string, string>;
}

export class Api {
  readonly server: string;

  constructor(
    server: string,
    private readonly token?: string,
  ) {
    this.server = normalizeServer(server);
  }

  get = <T = unknown>(path: string, opts?: RequestOptions) => this.request<T>("GET", path, opts);
  post = <T = unknown>(path: string, body?: unknown, opts?: RequestOptions) => this.request<T>("POST", path, { ...opts, body: body ?? {} });
  delete = <T = unknown>(path: string, opts?: RequestOptions) => this.request<T>("DELETE", path, opts);

  /** The raw response (login reads its Set-Cookie); throws ApiError for non-2xx answers. */
  async send(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const url = new URL(path, `${this.server}/`);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== "") url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: "application/json", "user-agent": "tideline-cli", ...opts.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (opts.body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), redirect: "manual" });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`Cannot reach Tideline at ${this.server}: ${cause?.code ?? cause?.message ?? (e as Error).message}`, EXIT.failed);
    }
    if (res.ok) return res;
    throw await apiErrorFrom(res, method, url.pathname);
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, opts);
    const text = await res.text();
    if (!text) return {} as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(`${method} ${path} answered ${res.status} with something that is not JSON; is ${this.server} a Tideline server?`);
    }
  }
}

async function apiErrorFrom(res: Response, method: string, path: string): Promise<ApiError> {
  const text = await res.text().catch(() => "");
  let error: { code?: string; message?: string; issues?: Array<{ field?: string; message?: string }>; [k: string]: unknown } | undefined;
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error;
  } catch {
    // Not Tideline's JSON (a proxy's error page): say what came back instead.
  }
  const details = (error?.issues ?? []).map((i) => `${i.field ? `${i.field}: ` : ""}${i.message ?? ""}`);
  const message = error?.message ?? `${method} ${path} answered ${res.status} ${res.statusText}`.trim();
  return new ApiError(res.status, error?.code ?? `http_${res.status}`, message, details);
}

export function normalizeServer(server: string): string {
  const withScheme = /^https?:\/\//i.test(server) ? server : `https://${server}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new CliError(`"${server}" is not a server URL (e.g. https://tideline.example.com)`, EXIT.usage);
  }
  if (url.username || url.password) throw new CliError("Put no credentials in the server URL; use `tideline login`", EXIT.usage);
  return url.toString().replace(/\/+$/, "");
}

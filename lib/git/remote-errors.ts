// Turns isomorphic-git and network failures into errors a person can act on:
// unreachable host, bad credentials, not a Git repository.
import { AppError } from "../errors";

interface GitLikeError {
  code?: string;
  message?: string;
  data?: { statusCode?: number; statusMessage?: string; response?: string };
  cause?: { code?: string };
}

export function describeRemoteError(error: unknown, url: string): AppError {
  if (error instanceof AppError) return error;
  const e = (error ?? {}) as GitLikeError;
  const host = safeHost(url);
  const netCode = e.code && /^E[A-Z]+$/.test(e.code) ? e.code : e.cause?.code;
  switch (netCode) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new AppError("unreachable", `Host ${host} could not be resolved (DNS lookup failed); check the URL`);
    case "ECONNREFUSED":
      return new AppError("unreachable", `Host ${host} refused the connection; is the Git server running?`);
    case "ETIMEDOUT":
    case "ECONNRESET":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return new AppError("unreachable", `Host ${host} is unreachable (${netCode}); check the network and try again`);
  }
  const status = e.data?.statusCode;
  if (e.code === "HttpError" && status) {
    if (status === 401) return new AppError("upstream_auth", `Authentication failed at ${host} (HTTP 401): the username or token is wrong or missing`);
    if (status === 403) return new AppError("upstream_auth", `Access denied at ${host} (HTTP 403): the credentials have no read access to this repository`);
    if (status === 404) return new AppError("invalid", `No Git repository found at ${url} (HTTP 404)`);
    return new AppError("unreachable", `Git server at ${host} answered HTTP ${status} ${e.data?.statusMessage ?? ""}`.trim());
  }
  if (e.code === "SmartHttpError" || e.code === "ParseError" || e.code === "UnknownTransportError") {
    return new AppError("invalid", `${url} does not look like a Git repository (the server did not speak the Git smart HTTP protocol)`);
  }
  // onAuth cancels once credentials were tried (or none exist), which means the server said 401.
  if (e.code === "UserCanceledError")
    return new AppError("upstream_auth", `Authentication failed at ${host} (HTTP 401): the username or token is wrong or missing`);
  return new AppError("unreachable", `Fetching from ${host} failed: ${e.message ?? String(error)}`);
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

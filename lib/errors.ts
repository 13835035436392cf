// One error type for everything a person can act on; lib/api/handler.ts maps it to HTTP.
export type ErrorCode =
  | "invalid"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "unreachable"
  | "upstream_auth"
  | "rate_limited"
  | "too_large"
  | "internal";

const STATUS: Record<ErrorCode, number> = {
  invalid: 422,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unreachable: 502,
  upstream_auth: 422,
  rate_limited: 429,
  too_large: 413,
  internal: 500,
};

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "AppError";
  }

  get status(): number {
    return STATUS[this.code];
  }
}

export const invalid = (message: string, details?: Record<string, unknown>) => new AppError("invalid", message, details);
export const notFound = (message: string) => new AppError("not_found", message);
export const conflict = (message: string) => new AppError("conflict", message);

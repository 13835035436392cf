// Browser-side calls to Tideline's API: JSON in, JSON out, errors carry the server's message
// and its details (the field a 422/409 is about, conflicting files, a stale preview...).
export interface ApiErrorDetails {
  field?: string;
  issues?: Array<{ field: string; message: string }>;
  conflicts?: string[];
  stale?: boolean;
  blockers?: string[];
  warnings?: string[];
  promotionId?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly details: ApiErrorDetails = {},
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const res = await fetch(path, {
    method: init?.method ?? "GET",
    headers: init?.body !== undefined ? { "Content-Type": "application/json" } : undefined,
    body: init?.body !== undefined ? JSON.stringify(init.body) : undefined,
    credentials: "same-origin",
  });
  const data = await res.json().catch(() => ({}));
  if (res.status === 401 && typeof window !== "undefined" && !path.startsWith("/api/auth/login")) {
    window.location.href = "/login";
  }
  if (!res.ok) {
    const { code, message, ...details } = data?.error ?? {};
    throw new ApiError(res.status, message ?? `Request failed (HTTP ${res.status})`, code, details);
  }
  return data as T;
}

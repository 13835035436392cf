// Like components/api.ts, but a failure keeps the server's details (the field a 422/409 is
// about, the files that conflict) so forms can show them next to what they concern.
import { ApiError } from "../api";

export class DetailedApiError extends ApiError {
  constructor(status: number, message: string, code: string | undefined, readonly details: { field?: string; conflicts?: string[]; issues?: Array<{ field: string; message: string }> }) {
    super(status, message, code);
  }
}

export async function apiDetailed<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const res = await fetch(path, {
    method: init?.method ?? "GET",
    headers: init?.body !== undefined ? { "Content-Type": "application/json" } : undefined,
    body: init?.body !== undefined ? JSON.stringify(init.body) : undefined,
    credentials: "same-origin",
  });
  const data = await res.json().catch(() => ({}));
  if (res.status === 401 && typeof window !== "undefined") window.location.href = "/login";
  if (!res.ok) {
    const { code, message, ...details } = data?.error ?? {};
    throw new DetailedApiError(res.status, message ?? `Request failed (HTTP ${res.status})`, code, details);
  }
  return data as T;
}

/** The field a failed request is about: the server's `field`, or the first zod issue's. */
export function errorField(error: unknown): string | null {
  if (!(error instanceof DetailedApiError)) return null;
  return error.details.field ?? error.details.issues?.[0]?.field ?? null;
}

// Browser calls for promotions: like components/api.ts, but a failed call keeps the server's
// details (stale, blockers, warnings, promotionId) so the dialogs can react to them.
import { ApiError } from "../api";

export class PromotionApiError extends ApiError {
  constructor(status: number, message: string, code: string | undefined, readonly details: { stale?: boolean; blockers?: string[]; warnings?: string[]; promotionId?: string }) {
    super(status, message, code);
  }
}

export async function promotionApi<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T> {
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
    throw new PromotionApiError(res.status, message ?? `Request failed (HTTP ${res.status})`, code, details);
  }
  return data as T;
}

export const isStale = (e: unknown) => e instanceof PromotionApiError && e.details.stale === true;

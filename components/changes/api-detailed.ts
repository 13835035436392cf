// The change-request forms use the shared client, whose errors keep the server's details
// (the field a 422/409 is about, the files that conflict) for showing next to what they concern.
import { ApiError } from "../api";

export { api as apiDetailed, ApiError as DetailedApiError } from "../api";

/** The field a failed request is about: the server's `field`, or the first zod issue's. */
export function errorField(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  return error.details.field ?? error.details.issues?.[0]?.field ?? null;
}

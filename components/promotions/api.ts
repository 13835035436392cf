// Browser calls for promotions go through the shared client, whose errors keep the server's
// details (stale, blockers, warnings, promotionId) so the dialogs can react to them.
import { ApiError } from "../api";

export { api as promotionApi, ApiError as PromotionApiError } from "../api";

export const isStale = (e: unknown) => e instanceof ApiError && e.details.stale === true;

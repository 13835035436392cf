import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { previewForUser } from "@/lib/promotions/api";
import { previewPromotionInput } from "@/lib/promotions/schemas";
import { reconcileDeps } from "@/server/root";

const targetApplication = applicationOf.bodyEnvironment("targetEnvironmentId");

/** What promoting source -> target would change: files, images, object diff, warnings, blockers and the hash to confirm. */
export const POST = apiRoute({ action: "promotion.create", bodyScope: targetApplication, body: previewPromotionInput }, async ({ body, user }) =>
  previewForUser(reconcileDeps(), user, body),
);

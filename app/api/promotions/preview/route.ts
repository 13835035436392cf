import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { authorizeOnApplication, parseInput, previewForUser, readJsonBody } from "@/lib/promotions/api";
import { previewPromotionInput } from "@/lib/promotions/schemas";
import { reconcileDeps } from "@/lib/services";
import { db } from "@/lib/db";

/** What promoting source -> target would change: files, images, object diff, warnings, blockers and the hash to confirm. */
export const POST = apiRoute({ action: "authenticated" }, async ({ req, user }) => {
  const raw = await readJsonBody(req);
  await authorizeOnApplication(db(), user, await applicationOf.environment(db(), String(raw.targetEnvironmentId ?? "")), "promotion.create");
  return previewForUser(reconcileDeps(), user, parseInput(previewPromotionInput, raw));
});

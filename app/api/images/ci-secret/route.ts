import { apiRoute } from "@/lib/api/handler";
import { ciSecretStatus, rotateCiSecret } from "@/lib/images/ci-secret";
import { recordAudit } from "@/lib/audit/record";
import { sealDeps } from "@/server/root";
import { db } from "@/lib/db";

export const GET = apiRoute({ action: "image.manage" }, async () => ciSecretStatus(db()));

/** Generates (or rotates) the CI webhook secret; the value is in this answer only. */
export const POST = apiRoute({ action: "image.manage" }, async ({ user }) => {
  const rotated = await rotateCiSecret(sealDeps());
  await recordAudit(db(), { actor: user, action: "image_webhook.rotate_secret", targetType: "installation_secret", targetId: "ci-webhook" });
  return Response.json(rotated, { status: 201 });
});

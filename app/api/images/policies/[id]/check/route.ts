import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { checkPolicy } from "@/lib/images/automation";
import { recordAudit } from "@/lib/audit/record";
import { imageDeps } from "@/server/root";
import { db } from "@/lib/db";

const params = z.object({ id: z.string().min(1).max(50) });

/** "Check now": list tags and write at once, answering with what was written per environment. */
export const POST = apiRoute({ action: "image.manage", params }, async ({ params, user }) => {
  const outcome = await checkPolicy(imageDeps(), params.id, { trigger: "manual" });
  await recordAudit(db(), {
    actor: user,
    action: "image_policy.check",
    targetType: "image_policy",
    targetId: params.id,
    details: {
      latestTag: outcome.latestTag,
      error: outcome.error?.code ?? null,
      environments: outcome.environments.map((e) => ({ environment: e.environmentId, status: e.status })),
    },
  });
  return { outcome };
});

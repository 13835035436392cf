import { apiRoute } from "@/lib/api/handler";
import { createPolicy, createPolicyInput, environmentChoices, listPolicies } from "@/lib/images/policies";
import { recordAudit } from "@/lib/audit/record";
import { sealDeps } from "@/server/root";
import { db } from "@/lib/db";

export const GET = apiRoute({ action: "image.read" }, async () => ({ items: await listPolicies(db()), environments: await environmentChoices(db()) }));

export const POST = apiRoute({ action: "image.manage", body: createPolicyInput }, async ({ body, user }) => {
  const policy = await createPolicy(sealDeps(), body);
  await recordAudit(db(), {
    actor: user,
    action: "image_policy.create",
    targetType: "image_policy",
    targetId: policy.id,
    details: { name: policy.name, image: policy.image, writeMode: policy.writeMode, environments: policy.environments.map((e) => e.id) },
  });
  return Response.json({ policy }, { status: 201 });
});

import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { deletePolicy, getPolicy, updatePolicy, updatePolicyInput } from "@/lib/images/policies";
import { recordAudit } from "@/lib/audit/record";
import { sealDeps } from "@/server/root";
import { db } from "@/lib/db";

const params = z.object({ id: z.string().min(1).max(50) });

export const GET = apiRoute({ action: "image.read", params }, async ({ params }) => ({ policy: await getPolicy(db(), params.id) }));

export const PATCH = apiRoute({ action: "image.manage", params, body: updatePolicyInput }, async ({ params, body, user }) => {
  const { policy, credentialsCleared } = await updatePolicy(sealDeps(), params.id, body);
  const changed = Object.keys(body).filter((k) => body[k as keyof typeof body] !== undefined && k !== "password");
  await recordAudit(db(), {
    actor: user,
    action: "image_policy.update",
    targetType: "image_policy",
    targetId: policy.id,
    details: { name: policy.name, changed, passwordChanged: body.password !== undefined, ...(credentialsCleared ? { credentialsCleared } : {}) },
  });
  return { policy, credentialsCleared };
});

export const DELETE = apiRoute({ action: "image.manage", params }, async ({ params, user }) => {
  const removed = await deletePolicy(db(), params.id);
  await recordAudit(db(), { actor: user, action: "image_policy.delete", targetType: "image_policy", targetId: removed.id, details: { name: removed.name } });
  return { ok: true };
});

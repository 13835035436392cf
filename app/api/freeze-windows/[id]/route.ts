import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { deleteFreezeWindow, updateFreezeWindow, updateFreezeWindowInput } from "@/lib/freeze/manage";

const params = z.object({ id: z.string().min(1) });

export const PATCH = apiRoute({ action: "freeze.manage", params, body: updateFreezeWindowInput }, async ({ params, body, user }) => {
  const { before, after } = await updateFreezeWindow(db(), params.id, body);
  await recordAudit(db(), { actor: user, action: "freeze.update", targetType: "freezeWindow", targetId: params.id, details: { before, after } as never });
  return { window: after };
});

export const DELETE = apiRoute({ action: "freeze.manage", params }, async ({ params, user }) => {
  const before = await deleteFreezeWindow(db(), params.id);
  await recordAudit(db(), { actor: user, action: "freeze.delete", targetType: "freezeWindow", targetId: params.id, details: { before } as never });
  return { ok: true };
});

// Freeze windows: everyone sees them (with whether each is open now); admins add them.
import { apiRoute } from "@/lib/api/handler";
import { db } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { createFreezeWindow, createFreezeWindowInput, listFreezeWindows, listFreezeWindowsQuery } from "@/lib/freeze/manage";

export const GET = apiRoute({ action: "application.read", query: listFreezeWindowsQuery }, async ({ query }) => listFreezeWindows(db(), query));

export const POST = apiRoute({ action: "freeze.manage", body: createFreezeWindowInput }, async ({ body, user }) => {
  const window = await createFreezeWindow(db(), user.username, body);
  await recordAudit(db(), { actor: user, action: "freeze.create", targetType: "freezeWindow", targetId: window.id, details: { after: window } as never });
  return Response.json({ window }, { status: 201 });
});

import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf, listMembers, setMember } from "@/lib/auth/application-roles";
import { ROLES } from "@/lib/auth/roles";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";

const params = z.object({ id: z.string().min(1) });
const scope = (prisma: Parameters<typeof applicationOf.application>[0], p: { id: string }) => applicationOf.application(prisma, p.id);

export const GET = apiRoute({ action: "application.read", scope, params }, async ({ params }) => ({ items: await listMembers(db(), params.id) }));

export const POST = apiRoute(
  { action: "application.members", scope, params, body: z.object({ username: z.string().min(1).max(100), role: z.enum(ROLES) }) },
  async ({ params, body, user }) => {
    const member = await setMember(db(), params.id, body.username, body.role);
    await recordAudit(db(), { actor: user, action: "application.member.set", targetType: "application", targetId: params.id, details: member });
    return Response.json({ member }, { status: 201 });
  },
);

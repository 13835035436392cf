import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf, removeMember } from "@/lib/auth/application-roles";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";

export const DELETE = apiRoute(
  {
    action: "application.members",
    scope: (prisma, p) => applicationOf.application(prisma, p.id),
    params: z.object({ id: z.string().min(1), userId: z.string().min(1) }),
  },
  async ({ params, user }) => {
    await removeMember(db(), params.id, params.userId);
    await recordAudit(db(), {
      actor: user,
      action: "application.member.remove",
      targetType: "application",
      targetId: params.id,
      details: { userId: params.userId },
    });
    return { ok: true };
  },
);

import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { removeProjectMember } from "@/lib/projects/manage-projects";
import { assertProjectAction } from "@/lib/projects/access";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";

export const DELETE = apiRoute(
  { action: "authenticated", params: z.object({ id: z.string().min(1), userId: z.string().min(1) }) },
  async ({ params, user }) => {
    await assertProjectAction(db(), user, params.id, "project.manage");
    await removeProjectMember(db(), params.id, params.userId);
    await recordAudit(db(), { actor: user, action: "project.member.remove", targetType: "project", targetId: params.id, details: { userId: params.userId } });
    return { ok: true };
  },
);

import { z } from "zod";
import { apiRoute, readLimitedText } from "@/lib/api/handler";
import { listProjectMembers, setProjectMember } from "@/lib/projects/manage-projects";
import { projectMemberInput } from "@/lib/projects/schemas";
import { assertProjectAction, parseAfterCheck } from "@/lib/projects/access";
import { recordAudit } from "@/lib/audit/record";
import { invalid } from "@/lib/errors";
import { db } from "@/lib/db";

const params = z.object({ id: z.string().min(1) });

export const GET = apiRoute({ action: "project.read", params }, async ({ params }) => ({ items: await listProjectMembers(db(), params.id) }));

// A project's admins (and global admins) grant roles on it; the role applies to every application of the project.
export const POST = apiRoute({ action: "authenticated", params }, async ({ req, params, user }) => {
  await assertProjectAction(db(), user, params.id, "project.manage");
  let raw: unknown;
  try {
    raw = JSON.parse((await readLimitedText(req, 10_000)) || "{}");
  } catch {
    throw invalid("The request body is not valid JSON");
  }
  const body = parseAfterCheck(projectMemberInput, raw);
  const member = await setProjectMember(db(), params.id, body.username, body.role);
  await recordAudit(db(), { actor: user, action: "project.member.set", targetType: "project", targetId: params.id, details: member });
  return Response.json({ member }, { status: 201 });
});

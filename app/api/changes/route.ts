import { apiRoute } from "@/lib/api/handler";
import { listChanges } from "@/lib/changes/list-changes";
import { proposeChange } from "@/lib/changes/propose-change";
import { listChangesQuery, proposeChangeInput } from "@/lib/changes/schemas";
import { recordAudit } from "@/lib/audit/record";
import { assertProposalFileSizes, proposalBodyBytes, proposalBodyHint } from "@/lib/limits/request-body";
import { changeDeps } from "@/server/root";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

export const GET = apiRoute({ action: "change.read", query: listChangesQuery }, async ({ query }) => listChanges(db(), query));

/** Commits the edits as the user on a new branch and opens the change request (here, or on GitHub/GitLab). */
export const POST = apiRoute(
  {
    action: "change.propose",
    body: proposeChangeInput,
    maxBodyBytes: () => proposalBodyBytes(env().TIDELINE_MAX_FILE_BYTES),
    bodyLimitHint: () => proposalBodyHint(env().TIDELINE_MAX_FILE_BYTES),
  },
  async ({ body, user }) => {
    assertProposalFileSizes(body.files, env().TIDELINE_MAX_FILE_BYTES);
    const change = await proposeChange(changeDeps(), user, body);
    await recordAudit(db(), {
      actor: user,
      action: "change.propose",
      targetType: "change_request",
      targetId: change.id,
      details: { repositoryId: change.repositoryId, number: change.number, headBranch: change.headBranch, files: change.files.map((f) => f.path) },
    });
    return Response.json({ change }, { status: 201 });
  },
);

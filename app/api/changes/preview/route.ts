import { apiRoute } from "@/lib/api/handler";
import { previewEdit } from "@/lib/changes/api";
import { previewEditInput } from "@/lib/changes/schemas";
import { assertProposalFileSizes, proposalBodyBytes, proposalBodyHint } from "@/lib/limits/request-body";
import { reconcileDeps, writeDeps } from "@/server/root";
import { env } from "@/lib/env";

/** The edit's commit built in the mirror (not pushed) and what it would do to each environment on the branch. */
export const POST = apiRoute(
  {
    action: "change.propose",
    body: previewEditInput,
    maxBodyBytes: () => proposalBodyBytes(env().TIDELINE_MAX_FILE_BYTES),
    bodyLimitHint: () => proposalBodyHint(env().TIDELINE_MAX_FILE_BYTES),
  },
  async ({ body, user }) => {
    assertProposalFileSizes(body.files, env().TIDELINE_MAX_FILE_BYTES);
    return previewEdit({ write: writeDeps(), reconcile: reconcileDeps() }, user, body);
  },
);

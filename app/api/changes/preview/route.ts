import { apiRoute } from "@/lib/api/handler";
import { previewEdit } from "@/lib/changes/api";
import { previewEditInput } from "@/lib/changes/schemas";
import { reconcileDeps, writeDeps } from "@/lib/services";

/** The edit's commit built in the mirror (not pushed) and what it would do to each environment on the branch. */
export const POST = apiRoute({ action: "change.propose", body: previewEditInput }, async ({ body, user }) =>
  previewEdit({ write: writeDeps(), reconcile: reconcileDeps() }, user, body),
);

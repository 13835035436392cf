// Reviews on a change request (approve, request changes, comment) and closing it. The
// author never approves their own change; provider-backed requests are reviewed there too.
import { AppError } from "../errors";
import type { WriteDeps } from "../repositories/write-branch";
import { providerFor } from "./provider-for";
import type { ChangeActor } from "./propose-change";

export async function loadOpenChange(deps: WriteDeps, id: string) {
  const cr = await deps.prisma.changeRequest.findUnique({ where: { id }, include: { repository: true } });
  if (!cr) throw new AppError("not_found", `Change request ${id} does not exist`);
  if (cr.status !== "open") throw new AppError("conflict", `Change request #${cr.number} is already ${cr.status}`);
  return cr;
}

export async function reviewChange(deps: WriteDeps, actor: ChangeActor, id: string, input: { state: "approved" | "changes_requested" | "commented"; body: string }) {
  const cr = await loadOpenChange(deps, id);
  if (input.state !== "commented" && cr.authorName === actor.username) {
    throw new AppError("forbidden", `You opened change request #${cr.number}; someone else must review it`);
  }
  if (input.state !== "approved" && !input.body.trim()) throw new AppError("invalid", "body: a comment is required when requesting changes or commenting", { field: "body" });
  const provider = providerFor(cr.repository, deps.unseal);
  // Tideline talks to the provider with one repository token (often the account that opened the
  // request, which GitHub/GitLab forbid from approving), so reviews given here are posted as comments
  // naming the person; the approval rule is enforced by Tideline on its own records.
  if (provider && cr.externalNumber) {
    const verb = { approved: "approved", changes_requested: "requested changes", commented: "commented" }[input.state];
    await provider.review(cr.externalNumber, { state: "commented", body: `${actor.username} ${verb} in Tideline${input.body ? `:\n\n${input.body}` : "."}` });
  }
  return deps.prisma.changeRequestReview.create({ data: { changeRequestId: cr.id, userId: actor.id, userName: actor.username, state: input.state, body: input.body } });
}

export async function closeChange(deps: WriteDeps, actor: ChangeActor, id: string) {
  const cr = await loadOpenChange(deps, id);
  const provider = providerFor(cr.repository, deps.unseal);
  if (provider && cr.externalNumber) await provider.close(cr.externalNumber);
  return deps.prisma.changeRequest.update({ where: { id: cr.id }, data: { status: "closed", closedAt: new Date(), mergedByName: null, lastError: null } });
}

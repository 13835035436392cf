// Registers a repository: validates the URL, proves the remote is a reachable, non-empty
// Git repository the credentials can read, stores the token encrypted, then starts the clone.
import type { PrismaClient } from "../generated/prisma/client";
import { parseRemoteUrl } from "../git/remote-url";
import { probeRemote } from "../git/mirror";
import { conflict } from "../errors";
import type { AddRepositoryInput } from "./schemas";

export async function addRepository(deps: { prisma: PrismaClient; seal: (plain: string) => string }, input: AddRepositoryInput, actorId: string | null) {
  const url = parseRemoteUrl(input.url).toString();
  const credentials = { username: input.username || null, token: input.token || null };
  const probe = await probeRemote(url, credentials);
  const clash = await deps.prisma.repository.findUnique({ where: { name: input.name } });
  if (clash) throw conflict(`A repository named "${input.name}" is already tracked; choose another name`);
  return deps.prisma.repository.create({
    data: {
      name: input.name,
      url,
      username: credentials.username,
      encryptedToken: credentials.token ? deps.seal(credentials.token) : null,
      defaultBranch: probe.defaultBranch,
      status: "pending",
      createdById: actorId,
    },
  });
}

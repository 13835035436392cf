// Creates an application and its environments from a Discover proposal, all or nothing:
// when one environment is refused, the application created for it is removed again.
import type { PrismaClient } from "../generated/prisma/client";
import { createApplication, createEnvironment } from "./manage-environments";
import type { ProposedEnvironment } from "./discover";

export async function createFromProposal(
  prisma: PrismaClient,
  mirrorsDir: string,
  input: { repositoryId: string; clusterId: string; branch: string; application: string; environments: ProposedEnvironment[] },
) {
  const app = await createApplication(prisma, { name: input.application });
  try {
    const envs = [];
    for (const [position, e] of input.environments.entries()) {
      envs.push(
        await createEnvironment(prisma, mirrorsDir, app.id, {
          ...e,
          position,
          repositoryId: input.repositoryId,
          clusterId: input.clusterId,
          branch: input.branch,
        }),
      );
    }
    return { application: app, environments: envs };
  } catch (error) {
    await prisma.application.delete({ where: { id: app.id } });
    throw error;
  }
}

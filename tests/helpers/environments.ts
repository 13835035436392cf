// Builds a tracked repository, a registered cluster (the test bed) and an application with
// environments, through the same lib functions the API uses.
import path from "node:path";
import { parse } from "yaml";
import { addRepository } from "../../lib/repositories/add-repository";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { registerCluster } from "../../lib/clusters/manage-clusters";
import { createApplication, createEnvironment } from "../../lib/environments/manage-environments";
import { clusterDeps, fetchDeps, sealDeps } from "../../server/root";
import { env } from "../../lib/env";
import { createDemoRepository } from "../../support/demo-repo";
import type { GitFixtures } from "./git-fixtures";
import { prisma, uniqueName } from "./db";
import { testbedKubeconfig } from "./testbed";
import type { CreateEnvironmentInput } from "../../lib/environments/schemas";

export async function demoSetup(git: GitFixtures) {
  const bare = path.join(git.root, `${uniqueName("cfg")}.git`);
  await createDemoRepository(bare);
  const repo = await addRepository(sealDeps(), { name: uniqueName("config"), url: `${git.open.url}/${path.basename(bare)}` }, null);
  await fetchRepository(fetchDeps(), repo.id);
  const kubeconfig = testbedKubeconfig("admin");
  const { cluster } = await registerCluster(clusterDeps(), {
    source: "kubeconfig",
    name: uniqueName("tb").toLowerCase(),
    kubeconfig,
    context: parse(kubeconfig)["current-context"],
  });
  const app = await createApplication(prisma(), { name: uniqueName("app").toLowerCase() });
  const addEnv = (input: Partial<CreateEnvironmentInput> & { name: string; path: string; namespace: string }) =>
    createEnvironment(prisma(), env().mirrorsDir, app.id, {
      branch: "main",
      repositoryId: repo.id,
      clusterId: cluster.id,
      renderer: "auto",
      helmValuesFiles: [],
      ...input,
    });
  return { bare, repo, cluster, app, addEnv };
}

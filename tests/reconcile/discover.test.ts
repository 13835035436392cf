// Discover on the demo repository: Kustomize overlays and Helm values files become proposals.
import { afterAll, beforeAll, expect, it } from "vitest";
import { discoverEnvironments } from "../../lib/environments/discover";
import { env } from "../../lib/env";
import { startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { demoSetup } from "../helpers/environments";
import { prisma } from "../helpers/db";

let git: GitFixtures;
beforeAll(async () => {
  git = await startGitFixtures();
});
afterAll(() => git.stop());

it("proposes applications and ordered environments from overlays and values files", async () => {
  const { repo } = await demoSetup(git);
  const { proposals } = await discoverEnvironments(prisma(), env().mirrorsDir, repo.id);
  const byApp = Object.fromEntries(proposals.map((p) => [p.application, p.environments]));
  expect(byApp.guestbook!.map((e) => `${e.name}:${e.path}:${e.renderer}:${e.namespace}`)).toEqual([
    "dev:apps/guestbook/overlays/dev:kustomize:guestbook-dev",
    "staging:apps/guestbook/overlays/staging:kustomize:guestbook-staging",
    "prod:apps/guestbook/overlays/prod:kustomize:guestbook-prod",
  ]);
  expect(byApp.payments!.map((e) => e.name)).toEqual(["dev", "staging", "prod"]);
  expect(byApp.redis!.map((e) => [e.name, e.renderer, e.helmValuesFiles[0]])).toEqual([
    ["dev", "helm", "values-dev.yaml"],
    ["staging", "helm", "values-staging.yaml"],
    ["prod", "helm", "values-prod.yaml"],
  ]);
});

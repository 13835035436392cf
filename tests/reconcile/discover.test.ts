// Discover: the layouts people use become proposals, each rendered before it is offered. The demo
// repository has Kustomize overlays and a Helm chart with values files; the second test adds the
// layouts of Argo CD's and Flux's examples (written for the test) to it.
import { afterAll, beforeAll, expect, it } from "vitest";
import { discoverEnvironments } from "../../lib/environments/discover";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { env } from "../../lib/env";
import { fetchDeps } from "../../server/root";
import { commitFile } from "../../support/demo-repo";
import { startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { demoSetup } from "../helpers/environments";
import { prisma } from "../helpers/db";

let git: GitFixtures;
beforeAll(async () => {
  git = await startGitFixtures();
});
afterAll(() => git.stop());

const discover = (repositoryId: string) => discoverEnvironments(prisma(), env().mirrorsDir, repositoryId, { dataDir: env().TIDELINE_DATA_DIR });
const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "1"\n`;

it("proposes applications and ordered environments from overlays and values files", async () => {
  const { repo } = await demoSetup(git);
  const { proposals } = await discover(repo.id);
  const byApp = Object.fromEntries(proposals.map((p) => [p.application, p.environments]));
  expect(byApp.guestbook!.map((e) => `${e.name}:${e.path}:${e.renderer}:${e.namespace}`)).toEqual([
    "dev:apps/guestbook/overlays/dev:kustomize:guestbook-dev",
    "staging:apps/guestbook/overlays/staging:kustomize:guestbook-staging",
    "prod:apps/guestbook/overlays/prod:kustomize:guestbook-prod",
  ]);
  expect(byApp.guestbook!.every((e) => (e.objects ?? 0) > 0)).toBe(true);
  expect(byApp.payments!.map((e) => e.name)).toEqual(["dev", "staging", "prod"]);
  expect(byApp.redis!.map((e) => [e.name, e.renderer, e.helmValuesFiles[0]])).toEqual([
    ["dev", "helm", "values-dev.yaml"],
    ["staging", "helm", "values-staging.yaml"],
    ["prod", "helm", "values-prod.yaml"],
  ]);
});

it("finds sibling environment folders over a base, Flux's apps/ layout and a folder per application; a chart that cannot render offline and a Jsonnet folder are not offered", async () => {
  const { bare, repo } = await demoSetup(git);
  const files: Record<string, string> = {
    // <app>/base + <app>/staging + <app>/production (no overlays/ folder)
    "podinfo/base/kustomization.yaml": "resources:\n  - config.yaml\n",
    "podinfo/base/config.yaml": configMap("podinfo"),
    "podinfo/staging/kustomization.yaml": "namespace: podinfo-staging\nresources:\n  - ../base\n",
    "podinfo/production/kustomization.yaml": "namespace: podinfo-production\nresources:\n  - ../base\n",
    // Flux's example: apps/base/<app>, apps/staging, apps/production
    "fluxapps/apps/base/cache/kustomization.yaml": "resources:\n  - cache.yaml\n",
    "fluxapps/apps/base/cache/cache.yaml": configMap("cache"),
    "fluxapps/apps/staging/kustomization.yaml": "resources:\n  - ../base/cache\n",
    "fluxapps/apps/production/kustomization.yaml": "resources:\n  - ../base/cache\n",
    // Argo CD's example-apps: a folder of plain manifests per application
    "examples/guestbook-ui/guestbook-ui.yaml": configMap("guestbook-ui"),
    "examples/helm-broken/Chart.yaml":
      "apiVersion: v2\nname: broken\nversion: 0.1.0\ndependencies:\n  - name: redis\n    version: 1.0.0\n    repository: https://charts.example.com\n",
    "examples/helm-broken/values-prod.yaml": "a: 1\n",
    "examples/helm-broken/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
    "examples/jsonnet-app/app.jsonnet": "{ apiVersion: 'v1', kind: 'ConfigMap' }\n",
  };
  for (const [path, content] of Object.entries(files)) await commitFile(bare, { branch: "main", path, content, message: `add ${path}` });
  await fetchRepository(fetchDeps(), repo.id);

  const { proposals, rejected } = await discover(repo.id);
  const byApp = Object.fromEntries(proposals.map((p) => [p.application, p]));
  expect(byApp.podinfo!.environments.map((e) => `${e.name}:${e.path}:${e.renderer}:${e.objects}`)).toEqual([
    "staging:podinfo/staging:kustomize:1",
    "production:podinfo/production:kustomize:1",
  ]);
  expect(byApp.podinfo!.reason).toContain("over the shared podinfo/base");
  expect(byApp.apps!.environments.map((e) => `${e.name}:${e.path}`)).toEqual(["staging:fluxapps/apps/staging", "production:fluxapps/apps/production"]);
  expect(byApp["guestbook-ui"]!.environments).toMatchObject([{ name: "default", path: "examples/guestbook-ui", renderer: "plain", objects: 1 }]);
  // The chart's dependency is not vendored: rendering it offline fails, so it is listed with why, not offered.
  expect(byApp.broken ?? byApp["helm-broken"]).toBeUndefined();
  expect(rejected).toEqual([expect.objectContaining({ application: "helm-broken", environment: "prod", path: "examples/helm-broken" })]);
  expect(rejected[0]!.error.length).toBeGreaterThan(0);
  expect(proposals.some((p) => p.environments.some((e) => e.path.startsWith("examples/jsonnet-app")))).toBe(false);
  // Nothing proposed twice, and shared bases are never environments.
  const paths = proposals.flatMap((p) => p.environments.map((e) => `${e.path}|${e.helmValuesFiles.join(",")}`));
  expect(new Set(paths).size).toBe(paths.length);
  expect(paths.some((p) => p.startsWith("podinfo/base") || p.startsWith("fluxapps/apps/base"))).toBe(false);
}, 120_000);

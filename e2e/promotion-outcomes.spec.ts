// A plain-YAML pipeline in the browser: the arrow lists the image Promote writes and the one it
// cannot (with the reason), and a promotion whose target then crash-loops ends "landed, target
// Degraded" saying why, after which Promote is offered again.
import path from "node:path";
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { parse } from "yaml";
import { commitFile, runGit } from "../support/demo-repo";
import { e2eState, signInAs } from "./fixtures/state";

const deployment = (image: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\nspec:\n  replicas: 1\n  selector:\n    matchLabels: { app: shop }\n  template:\n    metadata:\n      labels: { app: shop }\n    spec:\n      containers:\n        - name: shop\n          image: ${image}\n`;
const metrics = (tag: string) =>
  JSON.stringify(
    { apiVersion: "v1", kind: "Pod", metadata: { name: "metrics" }, spec: { containers: [{ name: "metrics", image: `ghcr.io/example/metrics:${tag}` }] } },
    null,
    2,
  );

test("the arrow shows what Promote writes and what it cannot; a target that ends unhealthy is 'landed, target Degraded' and Promote opens again", async ({
  page,
}) => {
  test.setTimeout(300_000);
  await signInAs(page, "admin");
  const bare = path.join(e2eState().gitRoot, "promo-plain.git");
  await runGit(["init", "--bare", "--initial-branch=main", bare]);
  for (const [stage, image, tag] of [
    ["dev", "ghcr.io/example/shop:fail-crash", "2"],
    ["prod", "ghcr.io/example/shop:1.0.0", "1"],
  ]) {
    await commitFile(bare, { branch: "main", path: `plain/${stage}/deployment.yaml`, content: deployment(image!), message: `${stage}: shop` });
    await commitFile(bare, { branch: "main", path: `plain/${stage}/metrics.json`, content: metrics(tag!), message: `${stage}: metrics` });
  }
  const repo = await page.request.post("/api/repositories", { data: { name: "promo-plain", url: `${e2eState().gitUrl}/promo-plain.git` } });
  expect(repo.status()).toBe(201);
  const repositoryId = (await repo.json()).repository.id as string;
  await expect
    .poll(async () => (await (await page.request.get(`/api/repositories/${repositoryId}`)).json()).repository?.status, { timeout: 30_000 })
    .toBe("ready");
  const kubeconfig = readFileSync(e2eState().kubeconfigPath, "utf8");
  const cluster = await page.request.post("/api/clusters", {
    data: { source: "kubeconfig", name: "outcomes-cluster", kubeconfig, context: parse(kubeconfig)["current-context"] },
  });
  expect(cluster.status()).toBe(201);
  const clusterId = (await cluster.json()).cluster.id as string;
  const app = (await (await page.request.post("/api/applications", { data: { name: "promo-app" } })).json()).application;
  const envs: Record<string, string> = {};
  for (const stage of ["dev", "prod"]) {
    const res = await page.request.post(`/api/applications/${app.id}/environments`, {
      data: { name: stage, repositoryId, clusterId, path: `plain/${stage}`, namespace: `promo-${stage}` },
    });
    expect(res.status()).toBe(201);
    envs[stage] = (await res.json()).environment.id;
  }
  expect((await page.request.post(`/api/environments/${envs.prod}/sync`, { data: {} })).status()).toBe(202);
  await expect
    .poll(
      async () => {
        const e = (await (await page.request.get(`/api/environments/${envs.prod}`)).json()).environment;
        return `${e.syncStatus}/${e.health}`;
      },
      { timeout: 90_000 },
    )
    .toBe("Synced/Healthy");

  await page.goto(`/applications/${app.id}`);
  const arrow = page.getByTestId("arrow-dev-prod");
  await expect(arrow.getByTestId("arrow-image")).toContainText("1.0.0 → fail-crash");
  await expect(arrow.getByTestId("arrow-image-not-promotable")).toContainText("metrics");
  await expect(arrow.getByTestId("arrow-image-not-promotable")).toContainText("not promotable: no kustomize images: entry");

  await arrow.getByTestId("promote-button").click();
  const dialog = page.getByTestId("promote-dialog");
  await expect(dialog.getByTestId("preview-images")).toContainText("ghcr.io/example/shop: 1.0.0 → fail-crash");
  await expect(dialog.getByTestId("preview-warnings")).toContainText("ghcr.io/example/metrics 1 -> 2 is not promoted");
  await dialog.getByTestId("acknowledge-warnings").check();
  await dialog.getByTestId("confirm-promotion").click();
  await expect(page).toHaveURL(/\/promotions\/[a-z0-9]+$/);
  // The sync lands it, waits for health (2 minutes), and the promotion says what is wrong.
  await expect(page.getByTestId("promotion-status")).toHaveText("landed, target Degraded", { timeout: 200_000 });
  await expect(page.getByTestId("promotion-error")).toContainText("prod runs");
  await expect(page.getByTestId("promotion-error")).toContainText("Deployment/shop");

  await page.goto(`/applications/${app.id}`);
  await expect(page.getByTestId("arrow-dev-prod").getByTestId("promote-button")).toBeEnabled();
  await expect(page.getByTestId("promote-blocked-reason")).toHaveCount(0);
});

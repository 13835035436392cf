import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { e2eState, signInAs } from "./fixtures/state";

test.describe.configure({ mode: "serial" });

test("an admin registers the test bed from a pasted kubeconfig", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto("/clusters");
  const form = page.getByTestId("register-cluster-form");

  await form.locator("textarea[name=kubeconfig]").fill("clusters: [oops");
  await form.getByRole("button", { name: "Read contexts" }).click();
  await expect(form.getByTestId("error")).toContainText("not valid YAML");

  await form.locator("textarea[name=kubeconfig]").fill(readFileSync(e2eState().kubeconfigPath, "utf8"));
  await form.getByRole("button", { name: "Read contexts" }).click();
  await expect(form.locator("select[name=context]")).toBeVisible();
  await form.locator("input[name=name]").fill("local");
  await form.getByRole("button", { name: "Register" }).click();

  const card = page.getByTestId("cluster-local");
  await expect(card.getByTestId("cluster-status")).toHaveText("connected");
  await expect(card).toContainText("v1.");
  await expect(card).toContainText("✓ patch apps/deployments");
});

test("credentials without RBAC rights show as degraded, with what they may not do", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto("/clusters");
  const form = page.getByTestId("register-cluster-form");
  await form.locator("textarea[name=kubeconfig]").fill(readFileSync(e2eState().viewerKubeconfigPath, "utf8"));
  await form.getByRole("button", { name: "Read contexts" }).click();
  await form.locator("input[name=name]").fill("restricted");
  await form.getByRole("button", { name: "Register" }).click();
  const card = page.getByTestId("cluster-restricted");
  await expect(card.getByTestId("cluster-status")).toHaveText("degraded · forbidden");
  await expect(card.getByTestId("cluster-error")).toContainText("Credentials may not");
});

test("a viewer sees clusters but cannot register one", async ({ page }) => {
  await signInAs(page, "viewer");
  await page.goto("/clusters");
  await expect(page.getByTestId("cluster-local")).toBeVisible();
  await expect(page.getByTestId("register-cluster-form")).toHaveCount(0);
  const res = await page.request.post("/api/clusters", { data: { source: "kubeconfig", name: "x", kubeconfig: "a: b", context: "c" } });
  expect(res.status()).toBe(403);
});

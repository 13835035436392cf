import { expect, test } from "@playwright/test";
import { e2eState, signInAs } from "./fixtures/state";

test.describe.configure({ mode: "serial" });

test("an admin adds a repository and watches it become ready", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto("/repositories");
  const form = page.getByTestId("add-repository-form");

  await form.getByLabel("Name", { exact: true }).fill("broken");
  await form.getByLabel("HTTPS URL").fill("ftp://example.com/x.git");
  await form.getByRole("button", { name: "Add repository" }).click();
  await expect(form.getByTestId("error")).toContainText("Only http:// and https://");

  await form.getByLabel("Name", { exact: true }).fill("platform-config");
  await form.getByLabel("HTTPS URL").fill(`${e2eState().gitUrl}/platform-config.git`);
  await form.getByRole("button", { name: "Add repository" }).click();
  const row = page.getByTestId("repository-row-platform-config");
  await expect(row.getByTestId("repo-status")).toHaveText("ready", { timeout: 30_000 });
  await expect(row).toContainText("43");
});

test("browse history: newest first, path filter, another branch", async ({ page }) => {
  await signInAs(page, "viewer");
  await page.goto("/repositories");
  await page.getByRole("link", { name: "platform-config" }).click();
  const rows = page.getByTestId("commit-row");
  await expect(rows.first()).toContainText("guestbook: promote 1.4.2 to prod");
  await expect(rows).toHaveCount(40);

  await page.getByTestId("path-filter").fill("charts/redis");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(rows.first()).toContainText("redis: bump chart version to 0.2.0");
  for (const text of await rows.allInnerTexts()) expect(text).toContain("charts/redis/");

  await page.getByRole("button", { name: "Clear" }).click();
  await page.getByTestId("branch-select").selectOption("feature/payments-pdb");
  await expect(rows.first()).not.toContainText("guestbook: promote 1.4.2 to prod");
});

test("open a commit and see its diff side by side", async ({ page }) => {
  await signInAs(page, "viewer");
  await page.goto("/repositories");
  await page.getByRole("link", { name: "platform-config" }).click();
  await page.getByTestId("commit-row").filter({ hasText: "redis: bump chart version to 0.2.0" }).getByRole("link").click();
  await expect(page.getByTestId("commit-title")).toHaveText("redis: bump chart version to 0.2.0");
  await expect(page.getByTestId("changed-files")).toContainText("charts/redis/Chart.yaml");
  const diff = page.getByTestId("diff-view");
  await expect(diff.locator(".monaco-diff-editor")).toBeVisible();
  await expect(diff.locator(".editor.original")).toContainText("version: 0.1.0");
  await expect(diff.locator(".editor.modified")).toContainText("version: 0.2.0");
});

test("browse the file tree and read a file", async ({ page }) => {
  await signInAs(page, "viewer");
  await page.goto("/repositories");
  await page.getByRole("link", { name: "platform-config" }).click();
  await page.getByRole("link", { name: "Browse files" }).click();
  const entries = page.getByTestId("tree-entries");
  await entries.getByRole("link", { name: "charts" }).click();
  await entries.getByRole("link", { name: "redis" }).click();
  await entries.getByRole("link", { name: "Chart.yaml" }).click();
  await expect(page.getByTestId("file-view")).toContainText("name: redis");
});

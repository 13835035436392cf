import { expect, test } from "@playwright/test";

test("single sign-on with the OpenID provider maps groups to roles", async ({ page }) => {
  await page.goto("/login");
  await page.getByRole("link", { name: "Sign in with single sign-on" }).click();
  // The provider's own sign-in and consent screens.
  await page.locator("input[name=login]").fill("ops-lead");
  await page.locator("input[name=password]").fill("anything");
  await page.locator("button[type=submit]").click();
  await page.locator("button[type=submit]").click();
  await expect(page.getByTestId("current-user")).toHaveText("ops-lead · admin");
});

test("a user whose groups map to developer gets developer", async ({ page }) => {
  await page.goto("/api/auth/oidc/login");
  await page.locator("input[name=login]").fill("dev-1");
  await page.locator("input[name=password]").fill("anything");
  await page.locator("button[type=submit]").click();
  await page.locator("button[type=submit]").click();
  await expect(page.getByTestId("current-user")).toHaveText("dev-1 · developer");
});

test("a replayed or forged callback is refused", async ({ page }) => {
  await page.goto("/api/auth/oidc/callback?code=stolen&state=replayed");
  await expect(page).toHaveURL(/\/login\?sso_error=/);
  await expect(page.getByTestId("error")).toContainText("already used or has expired");
  expect((await page.request.get("/api/auth/me")).status()).toBe(401);
});

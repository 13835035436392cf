import { expect, test, type Page } from "@playwright/test";

/** The provider's own sign-in and consent screens (oidc-provider's development interactions). */
async function signInAtProvider(page: Page, login: string) {
  await page.locator("input[name=login]").fill(login);
  await page.locator("input[name=password]").fill("anything");
  await page.locator("button[type=submit]").click();
  await page.locator("button[type=submit]").click();
}

test("single sign-on with the OpenID provider maps groups to roles", async ({ page }) => {
  await page.goto("/login");
  await page.getByRole("link", { name: "Sign in with single sign-on" }).click();
  await signInAtProvider(page, "ops-lead");
  await expect(page.getByTestId("current-user")).toHaveText("ops-lead · admin");
});

test("a user whose groups map to developer gets developer", async ({ page }) => {
  await page.goto("/api/auth/oidc/login");
  await signInAtProvider(page, "dev-1");
  await expect(page.getByTestId("current-user")).toHaveText("dev-1 · developer");
});

test("a replayed or forged callback is refused", async ({ page }) => {
  await page.goto("/api/auth/oidc/callback?code=stolen&state=replayed");
  await expect(page).toHaveURL(/\/login\?sso_error=/);
  await expect(page.getByTestId("error")).toContainText("already used or has expired");
  expect((await page.request.get("/api/auth/me")).status()).toBe(401);
});

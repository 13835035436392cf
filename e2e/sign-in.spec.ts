import { expect, test } from "@playwright/test";
import { USERS } from "./fixtures/state";

test("a signed-out visitor is sent to the sign-in page", async ({ page }) => {
  await page.goto("/repositories");
  await expect(page).toHaveURL(/\/login$/);
});

test("wrong password is refused with a clear message", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Username").fill(USERS.admin.username);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("error")).toHaveText(/^Wrong username or password/);
  await expect(page).toHaveURL(/\/login$/);
});

test("sign in, see who I am, sign out", async ({ page, context }) => {
  await page.goto("/login");
  await page.getByLabel("Username").fill(USERS.developer.username);
  await page.getByLabel("Password").fill(USERS.developer.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("current-user")).toHaveText(`${USERS.developer.username} · developer`);
  const cookie = (await context.cookies()).find((c) => c.name === "tideline_session");
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe("Lax");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  const res = await page.request.get("/api/auth/me");
  expect(res.status()).toBe(401);
});

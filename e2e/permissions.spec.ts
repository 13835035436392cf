import { expect, test } from "@playwright/test";
import { signInAs } from "./fixtures/state";

test("a viewer cannot add repositories: no form, and the API says 403", async ({ page }) => {
  await signInAs(page, "viewer");
  await page.goto("/repositories");
  await expect(page.getByTestId("repository-table")).toBeVisible();
  await expect(page.getByTestId("add-repository-form")).toHaveCount(0);
  const res = await page.request.post("/api/repositories", { data: { name: "sneaky", url: "http://127.0.0.1:1/x.git" } });
  expect(res.status()).toBe(403);
  expect((await res.json()).error.message).toContain("viewer");
});

test("a viewer cannot open user administration", async ({ page }) => {
  await signInAs(page, "viewer");
  await page.goto("/users");
  await expect(page).toHaveURL(/\/$/);
  expect((await page.request.get("/api/users")).status()).toBe(403);
});

test("API calls without a session get 401", async ({ request }) => {
  for (const path of ["/api/repositories", "/api/users", "/api/auth/me"]) {
    expect((await request.get(path)).status(), path).toBe(401);
  }
});

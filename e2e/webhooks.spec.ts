// Git webhooks in the browser: an admin enables the webhook on a repository and sees the secret
// once; a signed push and a forged one (sent by this test like a Git host would) show on the Webhooks page.
import { expect, test } from "@playwright/test";
import { e2eState, signInAs } from "./fixtures/state";
import { githubPayload, signedDelivery, type Delivery } from "../tests/webhooks/senders";

test.describe.configure({ mode: "serial" });

const name = `webhook-config-${Date.now().toString(36)}`;
let repositoryId = "";
let secret = "";

/** Sent without cookies, as GitHub would. */
async function deliver(baseURL: string, delivery: Delivery) {
  return fetch(new URL(`/api/webhooks/git/${repositoryId}`, baseURL), { method: "POST", headers: delivery.headers, body: delivery.body });
}

test("an admin enables the webhook and sees the secret exactly once", async ({ page }) => {
  await signInAs(page, "admin");
  const created = await page.request.post("/api/repositories", { data: { name, url: `${e2eState().gitUrl}/platform-config.git` } });
  expect(created.status()).toBe(201);
  repositoryId = (await created.json()).repository.id;

  await page.goto(`/repositories/${repositoryId}`);
  const panel = page.getByTestId("webhook-panel");
  await expect(panel.getByTestId("webhook-status")).toHaveText("not enabled");
  await panel.getByRole("button", { name: "Enable webhook" }).click();
  const reveal = panel.getByTestId("webhook-reveal");
  await expect(reveal).toContainText("shown only once");
  secret = (await reveal.getByTestId("webhook-secret").innerText()).trim();
  expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  await expect(reveal.getByTestId("webhook-payload-url")).toHaveText(new RegExp(`/api/webhooks/git/${repositoryId}$`));
  await expect(reveal.getByRole("button", { name: "Copy secret" })).toBeVisible();
  await expect(reveal.getByTestId("webhook-instructions")).toContainText("X-Hub-Signature-256");
  await reveal.getByRole("tab", { name: "GitLab" }).click();
  await expect(reveal.getByTestId("webhook-instructions")).toContainText("X-Gitlab-Token");
  await expect(panel.getByTestId("webhook-status")).toHaveText("enabled");

  await page.reload();
  await expect(panel.getByTestId("webhook-status")).toHaveText("enabled");
  await expect(panel.getByTestId("webhook-url")).toContainText(`/api/webhooks/git/${repositoryId}`);
  await expect(panel.getByTestId("webhook-reveal")).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);
  await expect(panel.getByRole("button", { name: "Rotate secret" })).toBeVisible();
});

test("a signed push shows as accepted on the Webhooks page, a forged one as rejected", async ({ page, baseURL }) => {
  await signInAs(page, "admin");
  const url = `${e2eState().gitUrl}/platform-config.git`;
  await expect
    .poll(async () => (await (await page.request.get(`/api/repositories/${repositoryId}`)).json()).repository.status, { timeout: 30_000 })
    .toBe("ready");
  const branches = (await (await page.request.get(`/api/repositories/${repositoryId}/branches`)).json()) as { items: Array<{ name: string; headSha: string }> };
  const head = branches.items.find((b) => b.name === "main")!.headSha;

  const good = await deliver(baseURL!, signedDelivery("github", secret, githubPayload({ url, after: head })));
  expect(good.status).toBe(202);
  expect(await good.json()).toMatchObject({ outcome: "accepted" });
  const forged = await deliver(baseURL!, signedDelivery("github", "a-guessed-secret-value", githubPayload({ url, after: head })));
  expect(forged.status).toBe(401);

  await page.goto("/");
  await page.getByRole("link", { name: "Webhooks" }).click();
  await expect(page).toHaveURL(/\/webhooks$/);
  await page.getByLabel("Repository").selectOption({ label: name });
  const rows = page.getByTestId("delivery-row");
  await expect(rows).toHaveCount(2);
  const accepted = rows.filter({ has: page.getByTestId("delivery-outcome").getByText("accepted", { exact: true }) });
  await expect(accepted.getByTestId("delivery-summary")).toContainText(`main → ${head.slice(0, 7)}`);
  await expect(accepted).toContainText("github");
  await expect(accepted).toContainText(name);
  const rejected = rows.filter({ has: page.getByTestId("delivery-outcome").getByText("rejected", { exact: true }) });
  await expect(rejected.getByTestId("delivery-reason")).toHaveText("signature does not match the configured secret");

  await page.getByLabel("Outcome").selectOption("rejected");
  await expect(rows).toHaveCount(1);

  // The list refreshes on its own: a ping sent now appears without a reload.
  await page.getByLabel("Outcome").selectOption("");
  const ping = await deliver(
    baseURL!,
    signedDelivery("github", secret, { zen: "Practicality beats purity.", hook_id: 7, repository: { html_url: url } }, { event: "ping" }),
  );
  expect(ping.status).toBe(200);
  await expect(rows).toHaveCount(3);
  await expect(rows.first().getByTestId("delivery-summary")).toHaveText("ping");
});

test("a viewer sees the webhook status but no controls, and no Webhooks page", async ({ page }) => {
  await signInAs(page, "viewer");
  await page.goto(`/repositories/${repositoryId}`);
  const panel = page.getByTestId("webhook-panel");
  await expect(panel.getByTestId("webhook-status")).toHaveText("enabled");
  await expect(panel.getByRole("button")).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Webhooks" })).toHaveCount(0);
  expect((await page.request.get("/api/webhooks/deliveries")).status()).toBe(403);
});

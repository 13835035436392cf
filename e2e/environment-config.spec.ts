// Configuring environments the way a new user does, in the browser: a repository whose default
// branch is master, a Helm chart with a per-environment values file chosen in the add-environment
// form, self-heal only with auto-sync, every source and sync setting editable, delete with prune
// naming how many objects go; and a commit diff whose changed part sits at the end of a long line.
import path from "node:path";
import { readFileSync } from "node:fs";
import { expect, test, type APIRequestContext, type Locator } from "@playwright/test";
import { parse } from "yaml";
import { commitFile, runGit } from "../support/demo-repo";
import { e2eState, signInAs } from "./fixtures/state";

test.describe.configure({ mode: "serial" });

const REPO = "legacy-charts";
const LONG_NOTE = `${"a line long enough to leave any editor's width behind, ".repeat(8)}zzchangedzz`;
const chart = {
  "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
  "charts/web/values.yaml": "size: small\nnote: short\n",
  "charts/web/values-production.yaml": "size: large\n",
  "charts/web/templates/configmap.yaml":
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-settings\ndata:\n  size: {{ .Values.size | quote }}\n  note: {{ .Values.note | quote }}\n",
};

async function repositoryId(request: APIRequestContext) {
  const repos = (await (await request.get("/api/repositories")).json()).items as Array<{ id: string; name: string; status: string }>;
  return repos.find((r) => r.name === REPO)?.id;
}

/** A repository of our own whose HEAD is master (created once), registered through the API, and a cluster. */
async function prerequisites(request: APIRequestContext) {
  if (!(await repositoryId(request))) {
    const bare = path.join(e2eState().gitRoot, `${REPO}.git`);
    await runGit(["init", "--bare", "--initial-branch=master", bare]);
    for (const [p, content] of Object.entries(chart)) await commitFile(bare, { branch: "master", path: p, content, message: `add ${p}` });
    expect((await request.post("/api/repositories", { data: { name: REPO, url: `${e2eState().gitUrl}/${REPO}.git` } })).status()).toBe(201);
  }
  await expect
    .poll(
      async () =>
        ((await (await request.get("/api/repositories")).json()).items as Array<{ name: string; status: string }>).find((r) => r.name === REPO)?.status,
      { timeout: 30_000 },
    )
    .toBe("ready");
  const clusters = (await (await request.get("/api/clusters")).json()).items as Array<{ name: string }>;
  if (!clusters.some((c) => c.name === "config-cluster")) {
    const kubeconfig = readFileSync(e2eState().kubeconfigPath, "utf8");
    expect(
      (
        await request.post("/api/clusters", {
          data: { source: "kubeconfig", name: "config-cluster", kubeconfig, context: parse(kubeconfig)["current-context"] },
        })
      ).status(),
    ).toBe(201);
  }
}

test("add a Helm environment on a master repository with a values file, edit its settings, and delete it with its objects", async ({ page }) => {
  test.setTimeout(180_000);
  await signInAs(page, "admin");
  await prerequisites(page.request);

  await page.goto("/applications");
  await page.locator("input[name=application-name]").fill("charts-app");
  await page.getByRole("button", { name: "Create application" }).click();
  await expect(page.getByTestId("application-name")).toHaveText("charts-app");

  const form = page.getByTestId("create-environment-form");
  await form.locator("select[name=env-repository]").selectOption({ label: REPO });
  // The branch is the remote's HEAD, not an assumed "main".
  await expect(form.locator("input[name=env-branch]")).toHaveValue("master");
  // Self-heal means nothing without auto-sync: the form says so and does not let it be set alone.
  await expect(form.getByTestId("flag-selfHeal")).toBeDisabled();
  await expect(form.getByTestId("self-heal-hint")).toContainText("turn on auto-sync first");
  await form.getByTestId("flag-autoSync").check();
  await form.getByTestId("flag-selfHeal").check();
  await form.locator("input[name=env-name]").fill("web");
  await form.locator("input[name=env-path]").fill("charts/web");
  await form.locator("select[name=env-cluster]").selectOption({ label: "config-cluster" });
  await form.locator("input[name=env-namespace]").fill("charts-web");
  await form.locator("textarea[name=env-helmValuesFiles]").fill("values-production.yaml");
  await form.getByRole("button", { name: "Add environment" }).click();

  const card = page.getByTestId("env-card-web");
  await expect(card).toContainText("charts/web @ master");
  await card.click();
  // Auto-sync applies it; the ConfigMap comes from the chart with the production values.
  await expect(page.getByTestId("environment-name").locator("..").getByTestId("sync-status").first()).toHaveText("Synced", { timeout: 60_000 });
  await page.getByTestId("resource-ConfigMap-web-settings").getByRole("button").click();
  await expect(page.getByTestId("object-diff").locator(".editor.modified")).toContainText("size: large");

  await page.getByRole("button", { name: "Settings", exact: true }).click();
  const settings = page.getByTestId("environment-settings");
  await expect(settings.locator("input[name=branch]")).toHaveValue("master");
  await expect(settings.locator("textarea[name=helmValuesFiles]")).toHaveValue("values-production.yaml");
  await expect(settings.getByTestId("flag-selfHeal")).toBeChecked();
  await settings.getByTestId("flag-autoSync").uncheck();
  await expect(settings.getByTestId("flag-selfHeal")).not.toBeChecked();
  await expect(settings.getByTestId("flag-selfHeal")).toBeDisabled();
  await settings.locator("textarea[name=helmValuesFiles]").fill("");
  await settings.locator("input[name=helmReleaseName]").fill("web-prod");
  await settings.getByTestId("environment-settings-save").click();
  await expect(settings.getByTestId("environment-settings-saved")).toBeVisible();
  const id = page.url().split("/").pop()!;
  const saved = (await (await page.request.get(`/api/environments/${id}`)).json()).environment;
  expect(saved).toMatchObject({ autoSync: false, selfHeal: false, helmValuesFiles: [], helmReleaseName: "web-prod", branch: "master" });
  await expect(page.getByTestId("destination-fixed")).toContainText("config-cluster/charts-web");

  const remove = page.getByTestId("delete-environment");
  await remove.getByTestId("delete-start").click();
  await expect(remove.getByTestId("delete-live-count")).toHaveText(/^1 live object\(s\)/);
  await remove.getByTestId("delete-prune").check();
  await expect(remove.getByTestId("delete-objects")).toContainText("ConfigMap/charts-web/web-settings");
  await expect(remove.getByTestId("delete-confirm")).toHaveText("Delete environment web and its 1 live object(s)");
  await remove.getByTestId("delete-confirm").click();
  await expect(page.getByTestId("application-name")).toHaveText("charts-app");
  await expect.poll(async () => (await page.request.get(`/api/environments/${id}`)).status(), { timeout: 30_000 }).toBe(404);
  await expect(page.getByTestId("env-card-web")).toHaveCount(0, { timeout: 15_000 });
});

/** Whether the marker text is inside the visible box of the editor that shows it. */
async function markerVisibleIn(editor: Locator, marker: string) {
  return editor.evaluate((root, text) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const at = n.textContent!.indexOf(text);
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(n, at);
      range.setEnd(n, at + text.length);
      const r = range.getBoundingClientRect();
      const box = root.getBoundingClientRect();
      return r.width > 0 && r.left >= box.left && r.right <= box.right;
    }
    return false;
  }, marker);
}

test("the changed end of a long line in a commit diff is on screen (lines wrap)", async ({ page }) => {
  await signInAs(page, "admin");
  await prerequisites(page.request);
  const bare = path.join(e2eState().gitRoot, `${REPO}.git`);
  const sha = await commitFile(bare, {
    branch: "master",
    path: "charts/web/values.yaml",
    content: `size: small\nnote: "${LONG_NOTE}"\n`,
    message: "web: a long note",
  });
  const id = (await repositoryId(page.request))!;
  expect((await page.request.post(`/api/repositories/${id}/fetch`, { data: {} })).ok()).toBe(true);
  await expect.poll(async () => (await page.request.get(`/api/repositories/${id}/commits/${sha}`)).status(), { timeout: 30_000 }).toBe(200);

  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`/repositories/${id}/commits/${sha}`);
  await expect(page.getByTestId("commit-title")).toHaveText("web: a long note");
  const modified = page.getByTestId("diff-view").locator(".editor.modified");
  await expect(modified).toContainText("zzchangedzz");
  await expect.poll(() => markerVisibleIn(modified, "zzchangedzz"), { timeout: 10_000 }).toBe(true);
});

test("a commit diff switches to inline and can fold the unchanged lines away", async ({ page }) => {
  await signInAs(page, "admin");
  await prerequisites(page.request);
  const bare = path.join(e2eState().gitRoot, `${REPO}.git`);
  const lines = (changed: string) => Array.from({ length: 80 }, (_, i) => (i === 40 ? `line${i}: ${changed}` : `line${i}: same`)).join("\n");
  await commitFile(bare, { branch: "master", path: "notes/long.yaml", content: `${lines("before")}\n`, message: "notes: long file" });
  const sha = await commitFile(bare, { branch: "master", path: "notes/long.yaml", content: `${lines("zzafterzz")}\n`, message: "notes: one line changed" });
  const id = (await repositoryId(page.request))!;
  expect((await page.request.post(`/api/repositories/${id}/fetch`, { data: {} })).ok()).toBe(true);
  await expect.poll(async () => (await page.request.get(`/api/repositories/${id}/commits/${sha}`)).status(), { timeout: 30_000 }).toBe(200);

  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`/repositories/${id}/commits/${sha}`);
  const diff = page.getByTestId("diff-view");
  // 80 lines, line 41 changed: at first the diff shows the top of the file, the change below the fold.
  await expect(diff.locator(".editor.modified")).toContainText("line0: same");
  await expect(diff.locator(".diff-hidden-lines")).toHaveCount(0);
  await diff.getByTestId("diff-only-changed").click();
  await expect(diff.getByTestId("diff-only-changed")).toHaveAttribute("aria-pressed", "true");
  // The unchanged stretches fold away and the changed line comes into view.
  await expect(diff.locator(".diff-hidden-lines")).not.toHaveCount(0);
  await expect(diff.locator(".editor.modified")).toContainText("zzafterzz");
  await expect(diff.locator(".editor.modified")).not.toContainText("line0: same");
  // Side by side the original takes half the width; inline it shrinks to its line-number gutter.
  const originalWidth = async () => (await diff.locator(".editor.original").boundingBox())?.width ?? 0;
  expect(await originalWidth()).toBeGreaterThan(300);
  await diff.getByTestId("diff-inline").click();
  await expect(diff.getByTestId("diff-inline")).toHaveText("Inline");
  await expect.poll(originalWidth).toBeLessThan(100);
  await expect(diff.locator(".editor.modified")).toContainText("zzafterzz");
});

/** Replaces a file's text in Monaco the way typing would (the model change reaches the editor's onChange). */
async function setEditorText(page: import("@playwright/test").Page, file: string, text: string) {
  await page.evaluate(
    ({ suffix, value }) => {
      const monaco = (globalThis as unknown as { monaco: { editor: { getModels(): Array<{ uri: { path: string }; setValue(v: string): void }> } } }).monaco;
      const model = monaco.editor.getModels().find((m) => m.uri.path.endsWith(`/${suffix}`));
      if (!model) throw new Error(`no Monaco model for ${suffix}`);
      model.setValue(value);
    },
    { suffix: file, value: text },
  );
}

test("an environment that was already broken does not block proposing an edit that leaves it alone", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, "admin");
  await prerequisites(page.request);
  const bare = path.join(e2eState().gitRoot, `${REPO}.git`);
  await commitFile(bare, {
    branch: "master",
    path: "broken/settings.yaml",
    content: "apiVersion: v1\nkind: ConfigMap\nmetadata: [unclosed\n",
    message: "broken: a bad manifest",
  });
  const id = (await repositoryId(page.request))!;
  await page.request.post(`/api/repositories/${id}/fetch`, { data: {} });
  const apps = (await (await page.request.get("/api/applications")).json()).items as Array<{ id: string; name: string }>;
  const appId = apps.find((a) => a.name === "charts-app")!.id;
  const clusterId = ((await (await page.request.get("/api/clusters")).json()).items as Array<{ id: string; name: string }>).find(
    (c) => c.name === "config-cluster",
  )!.id;
  await expect
    .poll(
      async () =>
        (
          await page.request.post(`/api/applications/${appId}/environments`, {
            data: { name: "old-broken", repositoryId: id, clusterId, path: "broken", namespace: "charts-old-broken" },
          })
        ).status(),
      { timeout: 30_000 },
    )
    .toBe(201);

  await page.goto(`/repositories/${id}`);
  await page.getByTestId("edit-files").click();
  await expect(page.getByTestId("file-tree")).toBeVisible();
  for (const [folder, child] of [
    ["charts", "tree-folder-charts/web"],
    ["charts/web", "tree-file-charts/web/values.yaml"],
  ]) {
    if (!(await page.getByTestId(child!).isVisible())) await page.getByTestId(`tree-folder-${folder}`).click();
  }
  await page.getByTestId("tree-file-charts/web/values.yaml").click();
  await expect(page.getByTestId("code-editor").locator(".monaco-editor")).toBeVisible();
  await setEditorText(page, "charts/web/values.yaml", "size: medium\nnote: short\n");
  await expect(page.getByTestId("pending-charts/web/values.yaml")).toBeVisible();
  await page.getByTestId("review-changes").click();
  const broken = page.getByTestId("impact-env-charts-app-old-broken");
  await expect(broken.getByTestId("impact-status")).toHaveText("already failing (not caused by this change)", { timeout: 30_000 });
  await expect(broken.getByTestId("impact-error")).toContainText("Already failing before this change");
  await expect(page.getByTestId("render-errors")).toHaveCount(0);
  await page.getByTestId("propose-title").fill("Medium web");
  await expect(page.getByTestId("propose-submit")).toBeEnabled();
  await page.getByTestId("propose-submit").click();
  await expect(page).toHaveURL(/\/changes\/[a-z0-9]+$/);
});

// Rendering the demo repository's folders with each renderer, from a real mirror.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchMirror } from "../../lib/git/mirror";
import { render } from "../../lib/render/render";
import { defaultTools } from "../../lib/render/tools";
import { commitFile, createDemoRepository } from "../../support/demo-repo";
import { startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";

let git: GitFixtures;
let work: string;
let gitdir: string;
let head: string;
const tools = defaultTools();

async function sync() {
  const { branches } = await fetchMirror({ gitdir, url: `${git.open.url}/config.git`, credentials: {} });
  head = branches.find((b) => b.name === "main")!.sha;
}

beforeAll(async () => {
  git = await startGitFixtures();
  await createDemoRepository(path.join(git.root, "config.git"));
  work = mkdtempSync(path.join(os.tmpdir(), "tideline-render-"));
  gitdir = path.join(work, "mirror.git");
  await sync();
});
afterAll(async () => {
  await git.stop();
  rmSync(work, { recursive: true, force: true });
});

const renderAt = (p: string, extra: object = {}) => render({ gitdir, commit: head, path: p, workDir: path.join(work, "trees"), tools, ...extra });
const ids = (r: Awaited<ReturnType<typeof renderAt>>) =>
  r.manifests.map((m) => `${m.object.kind}/${m.object.metadata.namespace ?? ""}/${m.object.metadata.name}`).sort();

describe("render", () => {
  it("reads a plain YAML folder recursively", async () => {
    const result = await renderAt("platform/namespaces");
    expect(result.renderer).toBe("plain");
    expect(ids(result)).toContain("Namespace//guestbook-dev");
    expect(result.manifests.every((m) => m.source.startsWith("platform/namespaces/"))).toBe(true);
  });

  it("builds a Kustomize overlay (base + patches + images)", async () => {
    const result = await renderAt("apps/guestbook/overlays/prod");
    expect(result.renderer).toBe("kustomize");
    const deployment = result.manifests.find((m) => m.object.kind === "Deployment")!.object as unknown as {
      metadata: { namespace: string };
      spec: { template: { spec: { containers: Array<{ image: string }> } } };
    };
    expect(deployment.metadata.namespace).toBe("guestbook-prod");
    expect(deployment.spec.template.spec.containers[0]!.image).toMatch(/guestbook:1\.4\.2$/);
  });

  it("renders a Helm chart with chosen values files and release name", async () => {
    const result = await renderAt("charts/redis", { helm: { releaseName: "cache", valuesFiles: ["values-prod.yaml"], namespace: "redis-prod" } });
    expect(result.renderer).toBe("helm");
    expect(result.manifests.some((m) => m.object.kind === "Deployment" && m.object.metadata.name.includes("cache"))).toBe(true);
  });

  it("reports invalid YAML with file and line, and duplicates with both sources", async () => {
    await commitFile(path.join(git.root, "config.git"), {
      branch: "main",
      path: "broken/a.yaml",
      content: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  bad: [unclosed\n",
      message: "broken",
    });
    await sync();
    await expect(renderAt("broken")).rejects.toMatchObject({ code: "invalid", message: expect.stringMatching(/^broken\/a\.yaml:\d+: invalid YAML/) });

    await commitFile(path.join(git.root, "config.git"), {
      branch: "main",
      path: "broken/a.yaml",
      content: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
      message: "fix",
    });
    await commitFile(path.join(git.root, "config.git"), {
      branch: "main",
      path: "broken/b.yaml",
      content: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
      message: "dup",
    });
    await sync();
    await expect(renderAt("broken")).rejects.toMatchObject({
      message: expect.stringContaining("Duplicate object ConfigMap x: defined in broken/a.yaml and broken/b.yaml"),
    });
  });

  it("reports kustomize failures and missing folders", async () => {
    await commitFile(path.join(git.root, "config.git"), {
      branch: "main",
      path: "badkust/kustomization.yaml",
      content: "resources:\n  - missing.yaml\n",
      message: "bad kustomization",
    });
    await sync();
    await expect(renderAt("badkust")).rejects.toMatchObject({ message: expect.stringContaining("kustomize build badkust failed") });
    await expect(renderAt("nope/nothing")).rejects.toMatchObject({ message: expect.stringContaining('Folder "nope/nothing" does not exist') });
  });
});

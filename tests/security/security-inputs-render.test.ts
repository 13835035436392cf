// Issue 14, finding 7: kustomize and helm are confined. A remote base is refused before kustomize
// runs (and no request reaches its server); the tools see a minimal environment without the
// server's secrets, a HOME outside the repository, and limits on time, memory and output.
// Real Git server, real kustomize; fake tools (small scripts) only where the tool's environment
// or a runaway tool is what is observed.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchMirror } from "../../lib/git/mirror";
import { render } from "../../lib/render/render";
import { remoteHost } from "../../lib/render/remote-refs";
import { findPrlimit } from "../../lib/render/sandbox";
import { defaultTools, type RenderTools } from "../../lib/render/tools";
import { commitFile, createDemoRepository } from "../../support/demo-repo";
import { startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";

let git: GitFixtures;
let work: string;
let gitdir: string;
let bare: string;
let head: string;
let http: Server;
let httpUrl = "";
const hits: string[] = [];

const CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-remote\n";

beforeAll(async () => {
  git = await startGitFixtures();
  bare = path.join(git.root, "config.git");
  await createDemoRepository(bare);
  work = mkdtempSync(path.join(os.tmpdir(), "tideline-render-sec-"));
  gitdir = path.join(work, "mirror.git");
  // The address a developer's kustomization points at: it must never be asked for anything.
  http = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.setHeader("content-type", "application/yaml");
    res.end(CONFIGMAP);
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  httpUrl = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  const files: Record<string, string> = {
    "sec/remote-url/kustomization.yaml": `resources:\n  - ${httpUrl}/base.yaml\n`,
    "sec/remote-nested/overlay/kustomization.yaml": "resources:\n  - ../base\n",
    "sec/remote-nested/base/kustomization.yaml": "resources:\n  - cm.yaml\ncomponents:\n  - github.com/example/platform//components/logging?ref=v1.2.0\n",
    "sec/remote-nested/base/cm.yaml": CONFIGMAP,
    "sec/remote-scp/kustomization.yaml": "resources:\n  - git@gitlab.example.com:team/base.git\n",
    "sec/remote-patch/kustomization.yaml": `resources:\n  - cm.yaml\npatches:\n  - path: ${httpUrl}/patch.yaml\n`,
    "sec/remote-patch/cm.yaml": CONFIGMAP,
    "sec/outside/kustomization.yaml": "resources:\n  - ../../../../../../etc\n",
    "sec/allowed/kustomization.yaml": `resources:\n  - ${httpUrl}/allowed.yaml\n`,
    "sec/env-kustomize/kustomization.yaml": "resources: []\n",
    "sec/env-helm/Chart.yaml": "apiVersion: v2\nname: env\nversion: 0.1.0\n",
    "sec/flood/kustomization.yaml": "resources: []\n",
    "sec/slow/kustomization.yaml": "resources: []\n",
    "sec/hungry/kustomization.yaml": "resources: []\n",
  };
  for (const [p, content] of Object.entries(files)) await commitFile(bare, { branch: "main", path: p, content, message: `add ${p}` });
  const { branches } = await fetchMirror({ gitdir, url: `${git.open.url}/config.git`, credentials: {} });
  head = branches.find((b) => b.name === "main")!.sha;
});
afterAll(async () => {
  http.close();
  await git.stop();
  rmSync(work, { recursive: true, force: true });
});

const renderAt = (p: string, extra: Partial<Parameters<typeof render>[0]> = {}) =>
  render({ gitdir, commit: head, path: p, workDir: path.join(work, "trees"), tools: defaultTools(), ...extra });

/** A stand-in for kustomize/helm: records its environment, then does `body` (default: print one ConfigMap). */
function fakeTool(name: string, body = `cat <<'YAML'\n${CONFIGMAP}YAML`): { tools: RenderTools; envFile: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tideline-fake-tool-"));
  const envFile = path.join(dir, "env.txt");
  const script = path.join(dir, name);
  writeFileSync(script, `#!/bin/sh\nenv > '${envFile}'\n${body}\n`);
  chmodSync(script, 0o755);
  return { tools: { kustomize: [script], helm: [script] }, envFile };
}

describe("remote kustomize sources", () => {
  it("refuses a remote resource URL, naming the URL and the file, and never contacts it", async () => {
    const error = await renderAt("sec/remote-url").catch((e) => e);
    expect(error).toMatchObject({
      code: "invalid",
      details: { file: "sec/remote-url/kustomization.yaml", field: "resources[0]", url: `${httpUrl}/base.yaml` },
    });
    expect(error.message).toContain(`sec/remote-url/kustomization.yaml: resources[0] refers to the remote address ${httpUrl}/base.yaml`);
    expect(error.message).toContain("TIDELINE_RENDER_REMOTE_HOSTS");
    expect(hits).toEqual([]);
  });

  it("follows local bases and refuses the remote component of a shared base, naming the base's file", async () => {
    await expect(renderAt("sec/remote-nested/overlay")).rejects.toMatchObject({
      details: { file: "sec/remote-nested/base/kustomization.yaml", field: "components[0]", url: "github.com/example/platform//components/logging?ref=v1.2.0" },
    });
  });

  it.each([
    ["sec/remote-scp", "resources[0]"],
    ["sec/remote-patch", "patches[0].path"],
  ])("refuses %s (%s)", async (folder, field) => {
    await expect(renderAt(folder)).rejects.toMatchObject({ code: "invalid", details: { field } });
    expect(hits).toEqual([]);
  });

  it("refuses a local reference that leaves the repository", async () => {
    await expect(renderAt("sec/outside")).rejects.toMatchObject({
      message: expect.stringContaining('resources[0] "../../../../../../etc" points outside the repository'),
    });
  });

  it("lets kustomize fetch from a host the operator allowed (so the refusal above is the policy, not an accident)", async () => {
    const result = await renderAt("sec/allowed", { limits: { remoteHosts: ["127.0.0.1"] } });
    expect(result.manifests.map((m) => m.object.metadata.name)).toEqual(["from-remote"]);
    expect(hits).toEqual(["GET /allowed.yaml"]);
    hits.length = 0;
  });

  it("recognises the remote forms kustomize accepts", () => {
    expect(remoteHost("https://example.com/a.yaml")).toBe("example.com");
    expect(remoteHost("git::https://user@git.example.com:8443/x.git")).toBe("git.example.com");
    expect(remoteHost("ssh://git@github.com/org/repo")).toBe("github.com");
    expect(remoteHost("git@github.com:org/repo.git")).toBe("github.com");
    expect(remoteHost("github.com/org/repo//base?ref=v1")).toBe("github.com");
    expect(remoteHost("gh:org/repo")).toBe("github.com");
    expect(remoteHost("oci://registry.example.com/charts")).toBe("registry.example.com");
    expect(remoteHost("../base")).toBeNull();
    expect(remoteHost("deployment.yaml")).toBeNull();
    expect(remoteHost("sub/dir")).toBeNull();
  });
});

describe("the tools' environment", () => {
  const expectedKeys = [
    "GIT_CONFIG_NOSYSTEM",
    "GIT_TERMINAL_PROMPT",
    "HELM_CACHE_HOME",
    "HELM_CONFIG_HOME",
    "HELM_DATA_HOME",
    "HOME",
    "KUBECONFIG",
    "LANG",
    "PATH",
    "TMPDIR",
    "XDG_CACHE_HOME",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
  ];
  const shellOwn = new Set(["PWD", "SHLVL", "_", "OLDPWD"]);

  it.each([
    ["kustomize", "sec/env-kustomize"],
    ["helm", "sec/env-helm"],
  ])("%s sees no server secret and keeps its HOME and caches outside the repository", async (_tool, folder) => {
    expect(process.env.TIDELINE_SECRET_KEY).toBeTruthy();
    expect(process.env.DATABASE_URL).toBeTruthy();
    const { tools, envFile } = fakeTool("tool");
    const result = await renderAt(folder, { tools });
    expect(result.manifests).toHaveLength(1);
    const env = Object.fromEntries(
      readFileSync(envFile, "utf8")
        .trim()
        .split("\n")
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    expect(
      Object.keys(env)
        .filter((k) => !shellOwn.has(k))
        .sort(),
    ).toEqual(expectedKeys);
    const tree = path.join(work, "trees", head);
    for (const key of ["HOME", "HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME", "TMPDIR"]) {
      expect(path.relative(tree, env[key]!).startsWith("..")).toBe(true);
      expect(path.relative(process.cwd(), env[key]!).startsWith("..")).toBe(true);
    }
    expect(existsSync(env.HOME!)).toBe(false); // thrown away after the render
  });
});

describe("limits", () => {
  it("stops a tool whose output passes the cap", async () => {
    const { tools } = fakeTool("flood", "while :; do echo 'padding: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'; done");
    const started = Date.now();
    await expect(renderAt("sec/flood", { tools, limits: { maxOutputBytes: 256 * 1024 } })).rejects.toMatchObject({
      code: "invalid",
      message: expect.stringContaining("kustomize build sec/flood stopped: it printed more than 0.3 MB (TIDELINE_RENDER_MAX_OUTPUT_MB)"),
    });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("stops a tool that runs past the time limit, with its children", async () => {
    const { tools } = fakeTool("slow", "sleep 30");
    const started = Date.now();
    await expect(renderAt("sec/slow", { tools, limits: { timeoutMs: 500 } })).rejects.toMatchObject({
      message: expect.stringContaining("timed out after 0.5 s"),
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("runs the tool under a memory limit (prlimit)", async () => {
    expect(findPrlimit()).not.toBeNull(); // util-linux is part of this machine; without it the limit is skipped with a warning
    const { tools } = fakeTool("hungry", "python3 -c 'x = bytearray(512 * 1024 * 1024); print(\"allocated\")'");
    await expect(renderAt("sec/hungry", { tools, limits: { memoryBytes: 128 * 1024 * 1024 } })).rejects.toMatchObject({
      message: expect.stringContaining("ran out of its memory limit of 128 MB (TIDELINE_RENDER_MEMORY_MB)"),
    });
  });
});

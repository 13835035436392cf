// The editor's review step and proposals of large files, through the API routes against real
// Postgres, a real Git server and the test bed: render errors the edit causes (or changes) count
// against it while environments that were already broken are shown as such, and a file up to the
// configured file limit (a CRD bundle) can be proposed while a larger one is a 413 that says why.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession } from "../../lib/auth/sessions";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { fetchDeps } from "../../server/root";
import { commitFile } from "../../support/demo-repo";
import { gitIn, startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { demoSetup } from "../helpers/environments";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { callRoute } from "../helpers/routes";

type Json = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
let git: GitFixtures;
let setup: Awaited<ReturnType<typeof demoSetup>>;
let dev: string;

beforeAll(async () => {
  git = await startGitFixtures();
  setup = await demoSetup(git);
  dev = (await createSession(prisma(), (await makeUser("developer")).id, 1)).token;
});
afterAll(() => git.stop());

const asJson = async (res: Response): Promise<Json> => ({ status: res.status, body: await res.json() });
const preview = (files: unknown[]) =>
  callRoute({ file: "changes/preview", method: "POST", cookie: dev, body: { repositoryId: setup.repo.id, baseBranch: "main", files } }).then(asJson);
const propose = (title: string, files: unknown[]) =>
  callRoute({ file: "changes", method: "POST", cookie: dev, body: { repositoryId: setup.repo.id, baseBranch: "main", title, files } }).then(asJson);

const overlay = (ns: string) => `namespace: ${ns}\nresources:\n  - ../../apps/guestbook/overlays/dev\n`;
const missingBase = (ns: string, what: string) => `namespace: ${ns}\nresources:\n  - ../../apps/${what}\n`;

describe("the impact check of an edit", () => {
  const ns = { ok: "", before: "", caused: "", changed: "" };
  const ids = { ok: "", before: "", caused: "", changed: "" };
  beforeAll(async () => {
    for (const k of Object.keys(ns) as Array<keyof typeof ns>) ns[k] = uniqueName(k).toLowerCase();
    await commitFile(setup.bare, { branch: "main", path: `envs/${ns.ok}/kustomization.yaml`, content: overlay(ns.ok), message: "ok env" });
    await commitFile(setup.bare, {
      branch: "main",
      path: `envs/${ns.before}/kustomization.yaml`,
      content: missingBase(ns.before, "gone-long-ago"),
      message: "an env broken before the edit",
    });
    await commitFile(setup.bare, { branch: "main", path: `envs/${ns.caused}/kustomization.yaml`, content: overlay(ns.caused), message: "env the edit breaks" });
    await commitFile(setup.bare, {
      branch: "main",
      path: `envs/${ns.changed}/kustomization.yaml`,
      content: missingBase(ns.changed, "gone-long-ago"),
      message: "env broken before, broken differently by the edit",
    });
    await fetchRepository(fetchDeps(), setup.repo.id);
    for (const k of Object.keys(ns) as Array<keyof typeof ns>) ids[k] = (await setup.addEnv({ name: k, path: `envs/${ns[k]}`, namespace: ns[k] })).id;
  });

  it("counts only the render errors the edit causes or changes; an environment broken before and untouched is shown as already failing", async () => {
    const res = await preview([
      { path: `envs/${ns.ok}/extra.yaml`, content: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n" },
      { path: `envs/${ns.ok}/kustomization.yaml`, content: `${overlay(ns.ok)}  - extra.yaml\n` },
      { path: `envs/${ns.caused}/kustomization.yaml`, content: missingBase(ns.caused, "typo-in-path") },
      { path: `envs/${ns.changed}/kustomization.yaml`, content: missingBase(ns.changed, "another-typo") },
    ]);
    expect(res.status).toBe(200);
    const by = (id: string) => res.body.impact.find((i: { environmentId: string }) => i.environmentId === id);
    expect(by(ids.ok)).toMatchObject({ status: "changed", error: null });
    expect(by(ids.before).status).toBe("preexisting_error");
    expect(by(ids.before).error).toContain("Already failing before this change (not caused by it)");
    expect(by(ids.before).error).toContain("gone-long-ago");
    expect(by(ids.caused).status).toBe("error");
    expect(by(ids.caused).error).toContain("breaks the render");
    expect(by(ids.changed).status).toBe("error");
    expect(by(ids.changed).error).toContain("fails differently");
    // What the Propose button is blocked by: environments whose status is "error".
    const blocking = res.body.impact
      .filter((i: { status: string }) => i.status === "error")
      .map((i: { environment: string }) => i.environment)
      .sort();
    expect(blocking).toEqual(["caused", "changed"]);
  });

  it("blocks nothing for an edit that leaves the broken environment alone", async () => {
    const res = await preview([{ path: `envs/${ns.ok}/notes.yaml`, content: "# notes\n" }]);
    expect(res.status).toBe(200);
    expect(res.body.impact.filter((i: { status: string }) => i.status === "error")).toEqual([]);
    expect(res.body.impact.find((i: { environmentId: string }) => i.environmentId === ids.before).status).toBe("preexisting_error");
  });
});

describe("proposing large files", () => {
  const LIMIT = 1024 * 1024; // TIDELINE_MAX_FILE_BYTES' default
  /** A CRD bundle of about `bytes` bytes, quote-heavy like real OpenAPI descriptions (JSON-escaping grows it). */
  const crdBundle = (bytes: number) => {
    const head = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  versions:\n";
    const line = `    - description: "A \\"widget\\" field, described at length so the bundle is large: lorem ipsum dolor sit amet."\n`;
    return head + line.repeat(Math.floor((bytes - head.length) / line.length));
  };

  it("accepts a file just under the file limit even though its request body is over 1 MB", async () => {
    const content = crdBundle(LIMIT - 4096);
    expect(JSON.stringify({ content }).length).toBeGreaterThan(1_000_000);
    const res = await propose("Add the widget CRDs", [{ path: `crds/${uniqueName("bundle")}.yaml`, content }]);
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(201);
    const file = res.body.change.files[0].path as string;
    expect(await gitIn(setup.bare, "cat-file", "-s", `${res.body.change.headBranch}:${file}`)).toBe(String(Buffer.byteLength(content)));
  });

  it("answers 413 naming the file and the limit for a file over it, and for a body over the proposal limit", async () => {
    const big = await propose("Too big", [{ path: "crds/huge.yaml", content: crdBundle(LIMIT + 100_000) }]);
    expect(big.status).toBe(413);
    expect(big.body.error.message).toMatch(/^crds\/huge\.yaml is 1\.1 MB; files up to 1 MB can be proposed \(TIDELINE_MAX_FILE_BYTES\)$/);
    const huge = await propose(
      "Far too big",
      Array.from({ length: 6 }, (_, i) => ({ path: `crds/part-${i}.yaml`, content: crdBundle(LIMIT - 4096) })),
    );
    expect(huge.status).toBe(413);
    expect(huge.body.error.message).toContain("Request body is larger than");
    expect(huge.body.error.message).toContain("a proposal carries files of up to 1 MB each (TIDELINE_MAX_FILE_BYTES)");
  });
});

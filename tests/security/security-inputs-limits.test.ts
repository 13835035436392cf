// Issue 14, findings 5 and 6 and the input limits: edit paths with control characters never reach
// `git update-index --index-info`; YAML alias bombs are refused with a 422 naming the file (editor
// validation, renders, kubeconfigs); manifest parsing is linear; oversized bodies answer 413
// without being read. Real routes, Postgres and Git server.
import path from "node:path";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession } from "../../lib/auth/sessions";
import { fetchMirror } from "../../lib/git/mirror";
import { commitEdits } from "../../lib/git/write-commit";
import { render } from "../../lib/render/render";
import { parseManifests } from "../../lib/render/manifest";
import { defaultTools } from "../../lib/render/tools";
import { listContexts } from "../../lib/kube/kubeconfig";
import { currentImagesInSources, updateImagesInSources } from "../../lib/images/update-sources";
import { SESSION_COOKIE } from "../../lib/auth/sessions";
import { commitFile } from "../../support/demo-repo";
import { demoSetup } from "../helpers/environments";
import { gitIn, startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { makeUser, prisma } from "../helpers/db";
import { callRoute, routeModule } from "../helpers/routes";
import { proposalBodyBytes } from "../../lib/limits/request-body";

let git: GitFixtures;
let setup: Awaited<ReturnType<typeof demoSetup>>;
let cookie = "";

beforeAll(async () => {
  git = await startGitFixtures();
  setup = await demoSetup(git);
  cookie = (await createSession(prisma(), (await makeUser("developer")).id, 1)).token;
});
afterAll(() => git.stop());

const json = async (res: Response) => ({
  status: res.status,
  body: (await res.json()) as { error?: { message: string; issues?: Array<{ field: string; message: string }>; file?: string; field?: string } },
});
const refs = async () => (await gitIn(setup.bare, "for-each-ref", "--format=%(refname)")).split("\n").sort();

/** Nine levels of nine aliases: 72 aliases, 9^9 values once expanded. */
const billionLaughs = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: lol", "x:", '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
  .concat("bcdefghi".split("").map((l, i) => `  ${l}: &${l} [${Array(9).fill(`*${"abcdefghi"[i]}`).join(",")}]`))
  .join("\n");

describe("edit paths with control characters (finding 6)", () => {
  it("answers 422 naming files.0.path for a path that smuggles an index-info line, and writes nothing", async () => {
    const blob = (await gitIn(setup.bare, "rev-parse", "main:README.md").catch(() => null)) ?? "0".repeat(39) + "1";
    const branchesBefore = await refs();
    const changesBefore = await prisma().changeRequest.count();
    for (const evil of [
      `notes/ok.md\n120000 ${blob}\tlink-to-anything`, // would add a symlink
      `notes/ok.md\n160000 ${"1".repeat(40)}\tvendor/gitlink`, // would add a gitlink
      "notes/tab\there.md",
      "notes/nul\u0000.md",
      "notes/c1\u0085.md",
    ]) {
      const res = await json(
        await callRoute({
          file: "changes",
          method: "POST",
          cookie,
          body: { repositoryId: setup.repo.id, baseBranch: "main", title: "smuggle", files: [{ path: evil, content: "x\n" }] },
        }),
      );
      expect(res.status, JSON.stringify(evil)).toBe(422);
      expect(res.body.error?.issues?.[0]).toMatchObject({
        field: "files.0.path",
        message: expect.stringMatching(/^contains (a newline|a tab|a NUL byte|a control character \(U\+0085\))$/),
      });
    }
    expect(await refs()).toEqual(branchesBefore);
    expect(await prisma().changeRequest.count()).toBe(changesBefore);
  });

  it("refuses them in lib/git too, whoever calls it, before git runs", async () => {
    const gitdir = path.join(setup.bare);
    const parent = await gitIn(setup.bare, "rev-parse", "main");
    const objectsBefore = await gitIn(setup.bare, "count-objects");
    await expect(
      commitEdits({
        gitdir,
        parent,
        edits: [{ path: `a.yaml\n160000 ${"1".repeat(40)}\tsub`, content: "x" }],
        message: "m",
        author: { name: "a", email: "a@b" },
      }),
    ).rejects.toMatchObject({ code: "invalid", details: { field: "files.0.path" } });
    expect(await gitIn(setup.bare, "count-objects")).toBe(objectsBefore);
  });
});

describe("YAML alias limits", () => {
  it("the validate route answers 422 naming the file to an alias bomb, quickly", async () => {
    const started = Date.now();
    const res = await json(
      await callRoute({
        file: "repositories/[id]/validate",
        method: "POST",
        url: `/api/repositories/${setup.repo.id}/validate`,
        params: { id: setup.repo.id },
        cookie,
        body: { path: "apps/lol.yaml", content: billionLaughs },
      }),
    );
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({
      file: "apps/lol.yaml",
      field: "content",
      message: expect.stringContaining("apps/lol.yaml: YAML aliases expand to more than 10000 extra nodes"),
    });
    expect(Date.now() - started).toBeLessThan(2_000);

    const many = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\ndata:\n  a: &v x\n${Array.from({ length: 150 }, (_, i) => `  k${i}: *v`).join("\n")}\n`;
    const res2 = await json(
      await callRoute({
        file: "repositories/[id]/validate",
        method: "POST",
        url: `/api/repositories/${setup.repo.id}/validate`,
        params: { id: setup.repo.id },
        cookie,
        body: { path: "apps/many.yaml", content: many },
      }),
    );
    expect(res2.status).toBe(422);
    expect(res2.body.error?.message).toContain("apps/many.yaml: YAML document 1 uses 150 aliases (limit 100)");
  });

  it("a render of a folder holding an alias bomb fails with 422 naming the file", async () => {
    await commitFile(setup.bare, { branch: "main", path: "bomb/lol.yaml", content: billionLaughs, message: "bomb" });
    const work = path.join(git.root, "render-bomb");
    const gitdir = path.join(work, "mirror.git");
    const { branches } = await fetchMirror({ gitdir, url: `${git.open.url}/${path.basename(setup.bare)}`, credentials: {} });
    const commit = branches.find((b) => b.name === "main")!.sha;
    await expect(render({ gitdir, commit, path: "bomb", workDir: path.join(work, "trees"), tools: defaultTools() })).rejects.toMatchObject({
      code: "invalid",
      details: { file: "bomb/lol.yaml" },
    });
  });

  it("image automation reading an alias bomb refuses it naming the file, before expanding it", () => {
    const files = {
      "apps/values.yaml": `image: registry.example/app:1.0.0 # tideline:image\n${billionLaughs.replace("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\n", "")}`,
    };
    expect(() => currentImagesInSources(files)).toThrow(/apps\/values.yaml: .*alias/);
    expect(() => updateImagesInSources(files, [{ name: "registry.example/app", tag: "1.0.1" }])).toThrow(/apps\/values.yaml: .*alias/);
  });

  it("a kubeconfig alias bomb is a 422 on the contexts route", async () => {
    const admin = (await createSession(prisma(), (await makeUser("admin")).id, 1)).token;
    const kubeconfig = `${billionLaughs.replace("kind: ConfigMap", "kind: Config")}\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n`;
    expect(() => listContexts(kubeconfig)).toThrow(/aliases expand/);
    const res = await callRoute({ file: "clusters/contexts", method: "POST", cookie: admin, body: { kubeconfig } });
    expect(res.status).toBe(422);
  });
});

describe("manifest parsing (finding 5)", () => {
  const file = (n: number) =>
    Array.from({ length: n }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\ndata:\n  key: value-${i}\n`).join("---\n");

  it("names the right line for an object deep in a large file", () => {
    const text = `${file(4_999)}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {}\n`;
    const line = 4_999 * 7; // objects are 6 lines plus a "---"; a document is named at its "---" marker
    expect(() => parseManifests(text, "big.yaml")).toThrow(`big.yaml:${line}: ConfigMap has no metadata.name`);
  });

  it("takes time linear in the number of objects (5x the objects, well under 25x the time)", () => {
    const time = (text: string) => {
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        expect(parseManifests(text, "f.yaml").length).toBeGreaterThan(0);
        runs.push(performance.now() - t);
      }
      return runs.sort((a, b) => a - b)[1]!;
    };
    const small = file(1_000);
    const large = file(5_000);
    time(small); // warm-up
    const ratio = time(large) / time(small);
    expect(ratio).toBeLessThan(12);
  });
});

describe("request body limits", () => {
  const post = (headers: Record<string, string>, body: ReadableStream<Uint8Array> | string) =>
    new NextRequest(new URL("/api/changes", "http://tideline.test"), {
      method: "POST",
      headers: { cookie: `${SESSION_COOKIE}=${cookie}`, "content-type": "application/json", ...headers },
      body,
      duplex: "half",
    } as ConstructorParameters<typeof NextRequest>[1]);

  function counted(total: number, chunk = 64 * 1024) {
    const state = { pulled: 0 };
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (state.pulled >= total) return controller.close();
        state.pulled += chunk;
        controller.enqueue(new Uint8Array(chunk).fill(0x20));
      },
    });
    return { stream, state };
  }

  it("answers 413 to a declared Content-Length over the route's limit without reading the body", async () => {
    const handler = (await routeModule("changes")).POST!;
    const { stream, state } = counted(50 * 1024 * 1024);
    const res = await handler(post({ "content-length": String(50 * 1024 * 1024) }, stream), { params: Promise.resolve({}) });
    expect(res.status).toBe(413);
    // Proposals take files up to TIDELINE_MAX_FILE_BYTES (1 MiB by default) in a body of 4x that plus 1 MiB (issue 15).
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      "Request body is larger than 5.2 MB: a proposal carries files of up to 1 MB each",
    );
    expect(state.pulled).toBeLessThanOrEqual(64 * 1024 * 2); // at most what the stream buffered ahead
  });

  it("answers 413 to a chunked body once it passes the limit, and stops reading there", async () => {
    const handler = (await routeModule("changes")).POST!;
    const { stream, state } = counted(50 * 1024 * 1024);
    const res = await handler(post({}, stream), { params: Promise.resolve({}) });
    expect(res.status).toBe(413);
    expect(state.pulled).toBeLessThan(proposalBodyBytes(1024 * 1024) + 3 * 64 * 1024);
  });
});

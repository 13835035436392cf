// Change requests end to end against real Postgres, a real Git server (git http-backend) and the
// test bed: propose (as the user, numbered, conflicts and bad input refused), review rules and
// required approvals, both merge methods landing on the server and reconciling, close, the
// per-environment impact preview, and a GitHub-backed repository against a GitHub-shaped server.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession } from "../../lib/auth/sessions";
import { addRepository } from "../../lib/repositories/add-repository";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { githubProvider } from "../../lib/changes/providers/github";
import { fetchDeps, sealDeps } from "../../server/root";
import { commitFile, createDemoRepository } from "../../support/demo-repo";
import { startFakeGitHub, type FakeGitHub } from "../../support/fake-github";
import { gitIn, startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { demoSetup } from "../helpers/environments";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { callRoute } from "../helpers/routes";
import { eventually } from "../helpers/testbed";
import { startTestWorker, stopTestWorker } from "../helpers/worker";
import type { RoleName } from "../../lib/auth/roles";

const CONFIGMAP = "apps/guestbook/base/configmap.yaml";

let git: GitFixtures;
let setup: Awaited<ReturnType<typeof demoSetup>>;
let ns: string;
let envId: string;
type Person = { id: string; username: string; cookie: string };
const people = {} as Record<"dev" | "dev2" | "approver" | "approver2" | "admin", Person>;

async function person(role: RoleName): Promise<Person> {
  const user = await makeUser(role);
  return { id: user.id, username: user.username, cookie: (await createSession(prisma(), user.id, 1)).token };
}

beforeAll(async () => {
  await startTestWorker(); // fetches and reconciles after a merge run as jobs, as in the product
  git = await startGitFixtures();
  setup = await demoSetup(git);
  // An overlay of its own pointing at a fresh namespace, so this file shares nothing on the test bed.
  ns = uniqueName("cr").toLowerCase();
  await commitFile(setup.bare, {
    branch: "main",
    path: `envs/${ns}/kustomization.yaml`,
    content: `namespace: ${ns}\nresources:\n  - ../../apps/guestbook/overlays/dev\n`,
    message: `add ${ns}`,
  });
  await fetchRepository(fetchDeps(), setup.repo.id);
  envId = (await setup.addEnv({ name: "dev", path: `envs/${ns}`, namespace: ns })).id;
  people.dev = await person("developer");
  people.dev2 = await person("developer");
  people.approver = await person("approver");
  people.approver2 = await person("approver");
  people.admin = await person("admin");
});
afterAll(async () => {
  await stopTestWorker();
  await git.stop();
});

type Json = { status: number; body: any }; // response bodies are checked field by field
const asJson = async (res: Response): Promise<Json> => ({ status: res.status, body: await res.json() });
const onServer = (rev: string) => gitIn(setup.bare, "rev-parse", "--verify", "-q", rev).catch(() => null);
const fileOnMain = async (p: string) => `${await gitIn(setup.bare, "show", `main:${p}`)}\n`;

function propose(who: Person, body: Record<string, unknown>, repositoryId = setup.repo.id) {
  return callRoute({ file: "changes", method: "POST", cookie: who.cookie, body: { repositoryId, baseBranch: "main", ...body } }).then(asJson);
}
const act = (who: Person, id: string, what: "reviews" | "merge" | "close", body: unknown = {}) =>
  callRoute({ file: `changes/[id]/${what}`, method: "POST", url: `/api/changes/${id}/${what}`, params: { id }, cookie: who.cookie, body }).then(asJson);
const detail = (who: Person, id: string) =>
  callRoute({ file: "changes/[id]", method: "GET", url: `/api/changes/${id}`, params: { id }, cookie: who.cookie }).then(asJson);
const preview = (who: Person, files: unknown[], extra: Record<string, unknown> = {}) =>
  callRoute({ file: "changes/preview", method: "POST", cookie: who.cookie, body: { repositoryId: setup.repo.id, baseBranch: "main", files, ...extra } }).then(
    asJson,
  );

/** The ConfigMap on main with one value changed (a key the dev overlay does not patch). */
async function configmapWithTtl(ttl: string) {
  return (await fileOnMain(CONFIGMAP)).replace(/SESSION_TTL_SECONDS: "\d+"/, `SESSION_TTL_SECONDS: "${ttl}"`);
}

describe("proposing a change", () => {
  it("commits three files as the developer on a new branch and numbers the change requests per repository", async () => {
    const first = await propose(people.dev, {
      title: "Tune guestbook sessions",
      body: "Shorter sessions, a note, and no prod HPA.",
      files: [
        { path: CONFIGMAP, content: await configmapWithTtl("1800") },
        { path: "notes/sessions.md", content: "Sessions are 30 minutes now.\n" },
        { path: "apps/payments/overlays/prod/hpa.yaml", content: null },
      ],
    });
    expect(first.status).toBe(201);
    const cr = first.body.change;
    expect(cr).toMatchObject({ number: 1, status: "open", authorName: people.dev.username, baseBranch: "main", provider: "git", kind: "edit" });
    expect(cr.headBranch).toMatch(new RegExp(`^tideline/${people.dev.username}/tune-guestbook-sessions-`));
    expect(cr.files.map((f: { change: string; path: string }) => `${f.change} ${f.path}`).sort()).toEqual(
      [`modified ${CONFIGMAP}`, "added notes/sessions.md", "deleted apps/payments/overlays/prod/hpa.yaml"].sort(),
    );
    // The branch exists on the real server, at the commit Tideline recorded, authored by the user.
    expect(await onServer(`refs/heads/${cr.headBranch}`)).toBe(cr.headSha);
    expect(await gitIn(setup.bare, "log", "-1", "--format=%an <%ae>|%cn|%s", cr.headBranch)).toBe(
      `${people.dev.username} <${people.dev.username}@users.tideline.local>|Tideline|Tune guestbook sessions`,
    );
    expect(await onServer("main")).toBe(cr.baseSha);
    const row = await prisma().changeRequest.findUniqueOrThrow({ where: { id: cr.id } });
    expect(row).toMatchObject({ repositoryId: setup.repo.id, authorId: people.dev.id, headSha: cr.headSha, requiredReviews: 0 });
    const audit = await prisma().auditEvent.findFirst({ where: { action: "change.propose", targetId: cr.id } });
    expect(audit?.actorName).toBe(people.dev.username);

    const second = await propose(people.dev2, {
      title: "Add a note",
      files: [{ path: "notes/other.md", content: "x\n" }],
      headBranch: `notes/${uniqueName("n")}`,
    });
    expect(second.status).toBe(201);
    expect(second.body.change.number).toBe(2);

    const diff = await callRoute({
      file: "changes/[id]/diff",
      method: "GET",
      url: `/api/changes/${cr.id}/diff?path=${encodeURIComponent(CONFIGMAP)}`,
      params: { id: cr.id },
      cookie: people.dev2.cookie,
    }).then(asJson);
    expect(diff.status).toBe(200);
    expect(diff.body.before.content).toContain('SESSION_TTL_SECONDS: "3600"');
    expect(diff.body.after.content).toContain('SESSION_TTL_SECONDS: "1800"');

    const list = await callRoute({
      file: "changes",
      method: "GET",
      url: `/api/changes?status=open&repositoryId=${setup.repo.id}&author=${people.dev.username}`,
      cookie: people.approver.cookie,
    }).then(asJson);
    expect(list.body.items.map((i: { number: number }) => i.number)).toEqual([1]);
    expect(list.body.items[0]).toMatchObject({ approvals: 0, repositoryName: setup.repo.name });

    const shown = await detail(people.approver, cr.id);
    expect(shown.body.change.commits.map((c: { subject: string }) => c.subject)).toEqual(["Tune guestbook sessions"]);
    expect(shown.body.change.files).toHaveLength(3);
  });

  it("refuses a branch name that already exists with 409 naming the field, and pushes nothing", async () => {
    const before = await onServer("refs/heads/feature/payments-pdb");
    const res = await propose(people.dev, { title: "Clash", headBranch: "feature/payments-pdb", files: [{ path: "notes/clash.md", content: "x\n" }] });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "conflict", field: "headBranch" });
    expect(res.body.error.message).toContain('"feature/payments-pdb" already exists');
    expect(await onServer("refs/heads/feature/payments-pdb")).toBe(before);
  });

  it("refuses paths outside the repository with 422 naming the field", async () => {
    for (const bad of ["../outside.yaml", "apps/../../etc/passwd", "/etc/passwd", ".git/config", "apps/.git/hooks/pre-commit"]) {
      const res = await propose(people.dev, {
        title: "Escape",
        files: [
          { path: "notes/ok.md", content: "ok\n" },
          { path: bad, content: "x\n" },
        ],
      });
      expect(res.status, bad).toBe(422);
      expect(res.body.error.message, bad).toContain("files.1.path");
      expect(res.body.error.issues[0].field).toBe("files.1.path");
    }
    const rename = await propose(people.dev, { title: "Escape", files: [{ path: "notes/ok.md", content: "ok\n", previousPath: "../x" }] });
    expect(rename.status).toBe(422);
    expect(rename.body.error.message).toContain("files.0.previousPath");
  });

  it("reports an edit that conflicts with what changed upstream with 409 listing the file, and pushes nothing", async () => {
    const base = (await onServer("main"))!;
    const mine = await configmapWithTtl("60");
    // Someone else changes the same line on the server after the user opened the file.
    await commitFile(setup.bare, { branch: "main", path: CONFIGMAP, content: await configmapWithTtl("7200"), message: "Longer sessions" });
    const branches = await gitIn(setup.bare, "for-each-ref", "--format=%(refname)", "refs/heads/");
    const res = await propose(people.dev, {
      title: "Short sessions",
      baseSha: base,
      files: [
        { path: CONFIGMAP, content: mine },
        { path: "notes/short.md", content: "60s\n" },
      ],
    });
    expect(res.status).toBe(409);
    expect(res.body.error.conflicts).toEqual([CONFIGMAP]);
    expect(res.body.error.message).toContain(CONFIGMAP);
    expect(await gitIn(setup.bare, "for-each-ref", "--format=%(refname)", "refs/heads/")).toBe(branches);

    // A non-overlapping edit made on the same old base is rebased onto the moved branch instead.
    const rebased = await propose(people.dev, { title: "Unrelated note", baseSha: base, files: [{ path: "notes/rebased.md", content: "fine\n" }] });
    expect(rebased.status).toBe(201);
    expect(await gitIn(setup.bare, "rev-parse", `${rebased.body.change.headBranch}~1`)).toBe(await onServer("main"));
  });
});

describe("reviews and merging", () => {
  it("enforces review rules and the protected environment's required approvals, then merges with a merge commit that reconciles", async () => {
    await prisma().environment.update({ where: { id: envId }, data: { requiredApprovals: 2 } });
    try {
      const kustomization = await fileOnMain(`envs/${ns}/kustomization.yaml`);
      const res = await propose(people.dev, {
        title: "Annotate dev",
        files: [{ path: `envs/${ns}/kustomization.yaml`, content: `${kustomization}commonAnnotations:\n  team: web\n` }],
      });
      expect(res.status).toBe(201);
      const cr = res.body.change;
      expect(cr.requiredReviews).toBe(2);

      const own = await act(people.dev, cr.id, "reviews", { state: "approved" });
      expect(own.status).toBe(403);
      expect(own.body.error.message).toContain("someone else must review it");
      expect((await act(people.approver, cr.id, "reviews", { state: "changes_requested" })).status).toBe(422); // a comment is required

      expect((await act(people.approver, cr.id, "reviews", { state: "changes_requested", body: "Use the standard team label." })).status).toBe(201);
      expect((await act(people.approver2, cr.id, "reviews", { state: "approved" })).status).toBe(201);
      expect((await act(people.approver2, cr.id, "reviews", { state: "approved", body: "Still fine." })).status).toBe(201);
      let shown = (await detail(people.dev, cr.id)).body.change;
      expect(shown).toMatchObject({ approvals: 1, changesRequested: 1, mergeable: false });
      const blocked = await act(people.dev, cr.id, "merge", { method: "merge" });
      expect(blocked.status).toBe(409);
      expect(blocked.body.error.message).toContain("request(s) for changes");

      // The same person approving twice counts once: two distinct approvals are needed.
      expect((await act(people.approver, cr.id, "reviews", { state: "commented", body: "Thinking." })).status).toBe(201);
      expect((await act(people.dev2, cr.id, "reviews", { state: "commented", body: "+1" })).status).toBe(201);
      shown = (await detail(people.dev, cr.id)).body.change;
      expect(shown).toMatchObject({ approvals: 1, changesRequested: 1, mergeable: false });
      expect((await act(people.approver, cr.id, "reviews", { state: "approved" })).status).toBe(201);
      shown = (await detail(people.dev, cr.id)).body.change;
      expect(shown).toMatchObject({ approvals: 2, changesRequested: 0, mergeable: true });
      expect(shown.reviews.map((r: { userName: string; state: string }) => r.state)).toEqual([
        "changes_requested",
        "approved",
        "approved",
        "commented",
        "commented",
        "approved",
      ]);

      const merged = await act(people.dev, cr.id, "merge", { method: "merge", expectedHeadSha: cr.headSha });
      expect(merged.status).toBe(200);
      const sha = merged.body.change.mergedSha;
      expect(merged.body.change).toMatchObject({ status: "merged", mergeMethod: "merge", mergedByName: people.dev.username });
      expect(await onServer("main")).toBe(sha);
      expect((await gitIn(setup.bare, "log", "-1", "--format=%P", "main")).split(" ")).toEqual([cr.baseSha, cr.headSha]);
      const env = await eventually(
        () => prisma().environment.findUniqueOrThrow({ where: { id: envId } }),
        (e) => e.desiredRevision === sha,
        30_000,
      );
      expect(env.desiredRevision).toBe(sha);
      expect((await act(people.dev, cr.id, "merge", { method: "merge" })).status).toBe(409); // already merged
    } finally {
      await prisma().environment.update({ where: { id: envId }, data: { requiredApprovals: 0 } });
    }
  });

  it("fast-forwards when the base has not moved, refuses to when it has, and the environment follows", async () => {
    const a = (await propose(people.dev, { title: "Longer TTL", files: [{ path: CONFIGMAP, content: await configmapWithTtl("5400") }] })).body.change;
    const b = (await propose(people.dev2, { title: "Another note", files: [{ path: "notes/ff.md", content: "ff\n" }] })).body.change;
    expect(a.requiredReviews).toBe(0);

    const ff = await act(people.dev, a.id, "merge", { method: "fast-forward" });
    expect(ff.status).toBe(200);
    expect(ff.body.change.mergedSha).toBe(a.headSha);
    expect(await onServer("main")).toBe(a.headSha);
    await eventually(
      () => prisma().environment.findUniqueOrThrow({ where: { id: envId } }),
      (e) => e.desiredRevision === a.headSha,
      30_000,
    );
    expect((await prisma().environment.findUniqueOrThrow({ where: { id: envId } })).desiredRevision).toBe(a.headSha);

    const refused = await act(people.dev2, b.id, "merge", { method: "fast-forward" });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain("cannot fast-forward");
    const merged = await act(people.dev2, b.id, "merge", { method: "merge" });
    expect(merged.status).toBe(200);
    expect(await gitIn(setup.bare, "show", "main:notes/ff.md")).toBe("ff");
    expect(await gitIn(setup.bare, "show", `main:${CONFIGMAP}`)).toContain('SESSION_TTL_SECONDS: "5400"');
  });

  it("closes a change request; a closed one takes no reviews, merges or second close", async () => {
    const cr = (await propose(people.dev, { title: "Never mind", files: [{ path: "notes/never.md", content: "no\n" }] })).body.change;
    const closed = await act(people.dev2, cr.id, "close");
    expect(closed.status).toBe(200);
    expect(closed.body.change.status).toBe("closed");
    expect(closed.body.change.closedAt).toBeTruthy();
    expect((await act(people.approver, cr.id, "reviews", { state: "approved" })).status).toBe(409);
    expect((await act(people.dev, cr.id, "merge", { method: "merge" })).status).toBe(409);
    expect((await act(people.dev, cr.id, "close")).status).toBe(409);
    const list = await callRoute({
      file: "changes",
      method: "GET",
      url: `/api/changes?status=closed&repositoryId=${setup.repo.id}`,
      cookie: people.dev.cookie,
    }).then(asJson);
    expect(list.body.items.map((i: { id: string }) => i.id)).toContain(cr.id);
  });
});

describe("impact preview", () => {
  it("lists the objects an edit changes per environment, without pushing anything", async () => {
    const branches = await gitIn(setup.bare, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads/");
    const res = await preview(people.dev, [{ path: CONFIGMAP, content: await configmapWithTtl("900") }]);
    expect(res.status).toBe(200);
    expect(res.body.baseSha).toBe(await onServer("main"));
    expect(res.body.files).toEqual([{ path: CONFIGMAP, change: "modified" }]);
    const impact = res.body.impact.find((i: { environmentId: string }) => i.environmentId === envId);
    expect(impact).toMatchObject({ environment: "dev", application: setup.app.name, status: "changed", error: null });
    expect(impact.objects.map((o: { kind: string; name: string; change: string }) => `${o.change} ${o.kind}/${o.name}`)).toEqual([
      "modified ConfigMap/guestbook-config",
    ]);
    expect(await gitIn(setup.bare, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads/")).toBe(branches);
  });

  it("reports an edit that breaks the render as an error of that environment", async () => {
    const res = await preview(people.dev, [
      { path: `envs/${ns}/kustomization.yaml`, content: `namespace: ${ns}\nresources:\n  - ../../apps/does-not-exist\n` },
    ]);
    expect(res.status).toBe(200);
    const impact = res.body.impact.find((i: { environmentId: string }) => i.environmentId === envId);
    expect(impact.status).toBe("error");
    expect(impact.error).toContain("breaks the render");
  });

  it("shows the impact of a proposed change request", async () => {
    const cr = (await propose(people.dev, { title: "Impact", files: [{ path: CONFIGMAP, content: await configmapWithTtl("600") }] })).body.change;
    const res = await callRoute({
      file: "changes/[id]/impact",
      method: "GET",
      url: `/api/changes/${cr.id}/impact`,
      params: { id: cr.id },
      cookie: people.dev.cookie,
    }).then(asJson);
    expect(res.status).toBe(200);
    const impact = res.body.impact.find((i: { environmentId: string }) => i.environmentId === envId);
    expect(impact.objects.map((o: { kind: string; change: string }) => `${o.change} ${o.kind}`)).toEqual(["modified ConfigMap"]);
  });

  it("refuses an empty edit and a bad preview path", async () => {
    const same = await preview(people.dev, [{ path: CONFIGMAP, content: await fileOnMain(CONFIGMAP) }]);
    expect(same.status).toBe(422);
    expect(same.body.error.message).toContain("changes nothing");
    expect((await preview(people.dev, [{ path: "../x", content: "" }])).status).toBe(422);
  });
});

describe("GitHub-backed change requests", () => {
  let gh: FakeGitHub;
  let repoId: string;
  let bare: string;
  const repoToken = () => git.credentials.password; // the repository's token works for Git and for GitHub's API

  beforeAll(async () => {
    gh = await startFakeGitHub({ owner: "acme", repo: "config", tokens: { [git.credentials.password]: "tideline-bot" } });
    bare = path.join(git.root, `${uniqueName("gh")}.git`);
    await createDemoRepository(bare);
    const repo = await addRepository(
      sealDeps(),
      { name: uniqueName("gh-config"), url: `${git.authed.url}/${path.basename(bare)}`, username: git.credentials.username, token: git.credentials.password },
      null,
    );
    repoId = repo.id;
    await fetchRepository(fetchDeps(), repoId);
  });
  afterAll(() => gh.stop());

  const patchRepo = (who: Person, id: string, body: unknown) =>
    callRoute({ file: "repositories/[id]", method: "PATCH", url: `/api/repositories/${id}`, params: { id }, cookie: who.cookie, body }).then(asJson);

  it("lets an admin choose GitHub (validated, audited)", async () => {
    expect((await patchRepo(people.dev, repoId, { provider: "github" })).status).toBe(403);
    const noToken = await patchRepo(people.admin, setup.repo.id, { provider: "github", providerApiUrl: gh.url, providerProject: "acme/config" });
    expect(noToken.status).toBe(422);
    expect(noToken.body.error.field).toBe("provider");
    const badProject = await patchRepo(people.admin, repoId, { provider: "github", providerApiUrl: gh.url, providerProject: "acme/config/extra" });
    expect(badProject.status).toBe(422);
    expect(badProject.body.error.message).toContain("providerProject");
    const badUrl = await patchRepo(people.admin, repoId, { provider: "github", providerApiUrl: "ftp://x", providerProject: "acme/config" });
    expect(badUrl.status).toBe(422);
    expect(badUrl.body.error.message).toContain("providerApiUrl");

    // The provider API is on another host than the remote: the token must come again in the same request (or it is dropped).
    const ok = await patchRepo(people.admin, repoId, {
      provider: "github",
      providerApiUrl: gh.url,
      providerProject: "acme/config",
      username: git.credentials.username,
      token: repoToken(),
    });
    expect(ok.status).toBe(200);
    expect(ok.body.repository).toMatchObject({ id: repoId, provider: "github", providerApiUrl: gh.url, providerProject: "acme/config" });
    expect(JSON.stringify(ok.body)).not.toContain(repoToken());
    const got = await callRoute({
      file: "repositories/[id]",
      method: "GET",
      url: `/api/repositories/${repoId}`,
      params: { id: repoId },
      cookie: people.dev.cookie,
    }).then(asJson);
    expect(got.body.repository.provider).toBe("github");
    const audit = await prisma().auditEvent.findFirst({ where: { action: "repository.configure", targetId: repoId }, orderBy: { at: "desc" } });
    expect(audit?.details).toMatchObject({ before: { provider: "git" }, after: { provider: "github", providerProject: "acme/config" } });
  });

  it("opens a pull request, mirrors reviews given on GitHub, and merges through GitHub's merge endpoint", async () => {
    const headBranch = `tideline/${uniqueName("gh")}`;
    gh.pushBranch(headBranch); // GitHub learns of the branch from the push; the fake is told directly
    const res = await propose(
      people.dev,
      {
        title: "Bump guestbook sessions",
        body: "Via GitHub.",
        headBranch,
        files: [{ path: CONFIGMAP, content: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: guestbook-config\ndata:\n  SESSION_TTL_SECONDS: "10"\n' }],
      },
      repoId,
    );
    expect(res.status).toBe(201);
    const cr = res.body.change;
    expect(cr).toMatchObject({ provider: "github", externalNumber: expect.any(Number) });
    expect(cr.externalUrl).toBe(`${gh.url}/acme/config/pull/${cr.externalNumber}`);
    expect(gh.pull(cr.externalNumber)).toMatchObject({ state: "open", title: "Bump guestbook sessions", head: { ref: headBranch }, base: { ref: "main" } });
    expect(await gitIn(bare, "rev-parse", `refs/heads/${headBranch}`)).toBe(cr.headSha); // still pushed to the real Git server
    gh.pushBranch(headBranch, cr.headSha); // GitHub sees the pushed commit as the pull request's head

    gh.externalReview(cr.externalNumber, "octo-reviewer", "APPROVED", "LGTM from GitHub");
    let shown = (await detail(people.dev, cr.id)).body.change;
    expect(shown.reviews.map((r: { userName: string; state: string; body: string }) => [r.userName, r.state, r.body])).toEqual([
      ["octo-reviewer", "approved", "LGTM from GitHub"],
    ]);
    expect(shown.reviews[0].externalId).toBeTruthy();
    expect(shown).toMatchObject({ approvals: 1, lastError: null });
    shown = (await detail(people.dev, cr.id)).body.change; // mirrored once, not again on every read
    expect(shown.reviews).toHaveLength(1);

    // A review given in Tideline is posted to the pull request as a comment naming the person.
    expect((await act(people.approver, cr.id, "reviews", { state: "approved", body: "Fine" })).status).toBe(201);
    const onGitHub = await githubProvider({ apiUrl: gh.url, owner: "acme", repo: "config", token: repoToken() }).listReviews(cr.externalNumber);
    expect(onGitHub.at(-1)?.body).toBe(`${people.approver.username} approved in Tideline:\n\nFine`);

    const merged = await act(people.dev, cr.id, "merge", { method: "merge" });
    expect(merged.status).toBe(200);
    const pr = gh.pull(cr.externalNumber)!;
    expect(pr).toMatchObject({ merged: true, state: "closed" });
    expect(merged.body.change).toMatchObject({ status: "merged", mergedSha: pr.merge_commit_sha });
  });

  it("reports an expired token clearly, without the token", async () => {
    const headBranch = `tideline/${uniqueName("gh")}`;
    gh.pushBranch(headBranch);
    const cr = (await propose(people.dev, { title: "Expiring", headBranch, files: [{ path: "notes/expire.md", content: "x\n" }] }, repoId)).body.change;
    expect(cr.externalNumber).toBeTruthy();
    gh.expireToken(repoToken());

    const shown = await detail(people.dev, cr.id);
    expect(shown.status).toBe(200);
    expect(shown.body.change.lastError).toContain("GitHub rejected the token (expired or revoked)");
    const review = await act(people.approver, cr.id, "reviews", { state: "approved" });
    expect(review.status).toBe(422);
    expect(review.body.error).toMatchObject({ code: "upstream_auth", provider: "github" });
    const merge = await act(people.dev, cr.id, "merge", { method: "merge" });
    expect(merge.status).toBe(422);
    expect(merge.body.error.message).toContain("update the repository's token");
    for (const body of [shown.body, review.body, merge.body]) expect(JSON.stringify(body)).not.toContain(repoToken());
    expect((await prisma().changeRequest.findUniqueOrThrow({ where: { id: cr.id } })).status).toBe("open");
  });
});

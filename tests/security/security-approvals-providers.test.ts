// Issue 14, finding 4 for GitHub/GitLab-backed change requests, reproduced as the attack and
// asserted refused, against real Postgres, a real Git server and the contract-following local
// GitHub and GitLab servers: the change's author approving on the provider (as the Tideline user's
// login or as the account that opened the pull/merge request) never counts, a dismissed approval
// (GitHub dismissal, GitLab unapproval) stops counting, and a provider approval of an older head
// is stale.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession } from "../../lib/auth/sessions";
import { createApplication, createEnvironment } from "../../lib/environments/manage-environments";
import { addRepository } from "../../lib/repositories/add-repository";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { syncProviderChange } from "../../lib/changes/sync-provider";
import { env } from "../../lib/env";
import { changeDeps, fetchDeps, sealDeps } from "../../server/root";
import { commitFile, createDemoRepository } from "../../support/demo-repo";
import { startFakeGitHub, type FakeGitHub } from "../../support/fake-github";
import { startFakeGitLab, type FakeGitLab } from "../../support/fake-gitlab";
import { startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { demoSetup } from "../helpers/environments";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { callRoute } from "../helpers/routes";
import type { RoleName } from "../../lib/auth/roles";

type Person = { id: string; username: string; cookie: string };
type Json = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

let git: GitFixtures;
let setup: Awaited<ReturnType<typeof demoSetup>>;
let gh: FakeGitHub;
let gl: FakeGitLab;
let ghBare: string; // the GitHub repository's Git side: the local GitHub sees what is pushed there
const people = {} as Record<"dev" | "approver" | "admin", Person>;
const BOT = "tideline-bot"; // the account behind the repository's token: it opens every pull/merge request

async function person(role: RoleName): Promise<Person> {
  const user = await makeUser(role);
  return { id: user.id, username: user.username, cookie: (await createSession(prisma(), user.id, 1)).token };
}
const asJson = async (res: Response): Promise<Json> => ({ status: res.status, body: await res.json() });
const detail = (who: Person, id: string) =>
  callRoute({ file: "changes/[id]", method: "GET", url: `/api/changes/${id}`, params: { id }, cookie: who.cookie }).then(asJson);
const merge = (who: Person, id: string) =>
  callRoute({
    file: "changes/[id]/merge",
    method: "POST",
    url: `/api/changes/${id}/merge`,
    params: { id },
    cookie: who.cookie,
    body: { method: "merge" },
  }).then(asJson);
const configmap = (value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  GREETING: "${value}"\n`;

/** A repository whose change requests live on `provider`, with a protected prod (1 approval) rendering a shared base. */
async function providerRepository(provider: "github" | "gitlab", apiUrl: string, project: string, bare = path.join(git.root, `${uniqueName(provider)}.git`)) {
  await createDemoRepository(bare);
  const ns = uniqueName(provider).toLowerCase();
  await commitFile(bare, { branch: "main", path: `shared/${ns}/configmap.yaml`, content: configmap("hello"), message: "shared" });
  await commitFile(bare, {
    branch: "main",
    path: `shared/${ns}/kustomization.yaml`,
    content: "resources:\n  - configmap.yaml\n",
    message: "shared kustomization",
  });
  await commitFile(bare, { branch: "main", path: `envs/${ns}/prod/kustomization.yaml`, content: `resources:\n  - ../../../shared/${ns}\n`, message: "prod" });
  const repo = await addRepository(
    sealDeps(),
    {
      name: uniqueName(`${provider}-config`),
      url: `${git.authed.url}/${path.basename(bare)}`,
      username: git.credentials.username,
      token: git.credentials.password,
    },
    null,
  );
  await fetchRepository(fetchDeps(), repo.id);
  const patched = await callRoute({
    file: "repositories/[id]",
    method: "PATCH",
    url: `/api/repositories/${repo.id}`,
    params: { id: repo.id },
    cookie: people.admin.cookie,
    body: { provider, providerApiUrl: apiUrl, providerProject: project, username: git.credentials.username, token: git.credentials.password },
  });
  expect(patched.status).toBe(200);
  await createEnvironment(prisma(), env().mirrorsDir, setup.app.id, {
    name: `prod-${provider}`,
    branch: "main",
    repositoryId: repo.id,
    clusterId: setup.cluster.id,
    renderer: "auto",
    helmValuesFiles: [],
    path: `envs/${ns}/prod`,
    namespace: `${ns}-prod`,
    requiredApprovals: 1,
  });
  return { repo, ns, bare };
}

/** Proposes a shared-base edit; the provider learns the real head commit of the pushed branch. */
async function proposeOn(repositoryId: string, ns: string, pushBranch: (name: string, sha?: string) => string) {
  const headBranch = `tideline/${uniqueName("p")}`;
  pushBranch(headBranch); // the provider hears of the branch from the push; the local server is told directly
  const res = await callRoute({
    file: "changes",
    method: "POST",
    cookie: people.dev.cookie,
    body: { repositoryId, baseBranch: "main", headBranch, title: "Greeting", files: [{ path: `shared/${ns}/configmap.yaml`, content: configmap("salut") }] },
  }).then(asJson);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const cr = res.body.change;
  expect(cr.externalNumber).toBeTruthy();
  expect(cr.requiredReviews).toBe(1);
  pushBranch(headBranch, cr.headSha);
  return cr as { id: string; externalNumber: number; headSha: string; headBranch: string };
}

async function synced(id: string) {
  await syncProviderChange(changeDeps(), id);
  return (await detail(people.dev, id)).body.change;
}

beforeAll(async () => {
  git = await startGitFixtures();
  setup = await demoSetup(git);
  people.dev = await person("developer");
  people.approver = await person("approver");
  people.admin = await person("admin");
  ghBare = path.join(git.root, `${uniqueName("github")}.git`);
  gh = await startFakeGitHub({ owner: "acme", repo: "config", tokens: { [git.credentials.password]: BOT }, gitDir: ghBare });
  gl = await startFakeGitLab({ projectPath: "acme/config", preventAuthorApproval: false, tokens: { [git.credentials.password]: BOT } });
}, 180_000);
afterAll(async () => {
  await Promise.all([gh?.stop(), gl?.stop()]);
  await git.stop();
});

describe("GitHub pull requests", () => {
  let repoId: string;
  let ns: string;
  let bare: string;
  beforeAll(async () => {
    ({
      repo: { id: repoId },
      ns,
      bare,
    } = await providerRepository("github", gh.url, "acme/config", ghBare));
  }, 120_000);

  it("the author's own approvals on GitHub do not count, as the Tideline user's login or as the pull request's opener", async () => {
    const cr = await proposeOn(repoId, ns, gh.pushBranch);
    gh.externalReview(cr.externalNumber, people.dev.username, "APPROVED", "my own change, approved");
    gh.externalReview(cr.externalNumber, BOT, "APPROVED", "the token's account approving");
    const shown = await synced(cr.id);
    expect(shown.reviews.map((r: { userName: string; standing: string }) => [r.userName, r.standing])).toEqual([
      [people.dev.username, "author"],
      [BOT, "author"],
    ]);
    expect(shown).toMatchObject({ approvals: 0, mergeable: false, externalAuthor: BOT });
    const refused = await merge(people.approver, cr.id);
    expect(refused.status).toBe(409);
    expect(gh.pull(cr.externalNumber)).toMatchObject({ state: "open", merged: false });
  });

  it("a dismissed approval is removed; an approval of an older head is stale", async () => {
    const cr = await proposeOn(repoId, ns, gh.pushBranch);
    const review = gh.externalReview(cr.externalNumber, people.approver.username, "APPROVED");
    let shown = await synced(cr.id);
    expect(shown.reviews[0]).toMatchObject({ userName: people.approver.username, commitSha: cr.headSha, standing: "counts" });
    expect(shown.mergeable).toBe(true);

    gh.externalDismiss(cr.externalNumber, review, "approved the wrong pull request");
    shown = await synced(cr.id);
    expect(shown.reviews[0]).toMatchObject({ standing: "dismissed" });
    expect(shown.reviews[0].dismissedAt).toBeTruthy();
    expect(shown).toMatchObject({ approvals: 0, mergeable: false });
    expect((await merge(people.dev, cr.id)).status).toBe(409);
    expect(gh.pull(cr.externalNumber)).toMatchObject({ state: "open", merged: false });

    // Approved again, then the head moves on GitHub: the approval was for the old commit.
    gh.externalReview(cr.externalNumber, people.approver.username, "APPROVED");
    expect((await synced(cr.id)).mergeable).toBe(true);
    const moved = await commitFile(bare, {
      branch: cr.headBranch,
      path: `shared/${ns}/configmap.yaml`,
      content: configmap("moved"),
      message: "after approval",
    });
    gh.pushBranch(cr.headBranch, moved);
    await fetchRepository(fetchDeps(), repoId);
    shown = await synced(cr.id);
    expect(shown.headSha).toBe(moved);
    expect(shown).toMatchObject({ mergeable: false, staleApprovals: 1 });
    expect((await merge(people.dev, cr.id)).status).toBe(409);
  });
});

describe("GitHub pull requests: a promotion's", () => {
  it("pull request closed on GitHub cancels the promotion instead of leaving it waiting", async () => {
    const image = "ghcr.io/example/guestbook";
    const ns = uniqueName("ghp").toLowerCase();
    const kustomization = (stage: string, tag: string) =>
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${ns}-${stage}\nresources:\n  - ../../../apps/guestbook/base\nimages:\n  - name: ${image}\n    newTag: ${tag}\n`;
    await commitFile(ghBare, { branch: "main", path: `envs/${ns}/staging/kustomization.yaml`, content: kustomization("staging", "1.6.0"), message: "staging" });
    await commitFile(ghBare, { branch: "main", path: `envs/${ns}/prod/kustomization.yaml`, content: kustomization("prod", "1.4.2"), message: "prod" });
    const repo = await prisma().repository.findFirstOrThrow({ where: { provider: "github", url: { endsWith: path.basename(ghBare) } } });
    await fetchRepository(fetchDeps(), repo.id);
    const app = await createApplication(prisma(), { name: uniqueName("ghp").toLowerCase() });
    const mk = (stage: string, requiredApprovals: number) =>
      createEnvironment(prisma(), env().mirrorsDir, app.id, {
        name: stage,
        branch: "main",
        repositoryId: repo.id,
        clusterId: setup.cluster.id,
        renderer: "auto",
        helmValuesFiles: [],
        path: `envs/${ns}/${stage}`,
        namespace: `${ns}-${stage}`,
        requiredApprovals,
      });
    const staging = await mk("staging", 0);
    const prod = await mk("prod", 1);
    const pv = await callRoute({
      file: "promotions/preview",
      method: "POST",
      cookie: people.dev.cookie,
      body: { sourceEnvironmentId: staging.id, targetEnvironmentId: prod.id },
    }).then(asJson);
    expect(pv.status).toBe(200);
    const started = await callRoute({
      file: "promotions",
      method: "POST",
      cookie: people.dev.cookie,
      body: { sourceEnvironmentId: staging.id, targetEnvironmentId: prod.id, previewHash: pv.body.previewHash, acknowledgeWarnings: true },
    }).then(asJson);
    expect(started.status).toBe(201);
    const promotion = started.body.promotion;
    expect(promotion.status).toBe("awaiting_approval");
    const cr = await prisma().changeRequest.findUniqueOrThrow({ where: { id: promotion.changeRequestId } });
    expect(cr.externalNumber).toBeTruthy();

    gh.externalClose(cr.externalNumber!);
    await syncProviderChange(changeDeps(), cr.id);
    expect((await prisma().changeRequest.findUniqueOrThrow({ where: { id: cr.id } })).status).toBe("closed");
    const after = await prisma().promotion.findUniqueOrThrow({ where: { id: promotion.id }, include: { events: { orderBy: { at: "asc" } } } });
    expect(after.status).toBe("cancelled");
    expect(after.events.at(-1)).toMatchObject({ action: "cancelled", actorName: "GitHub", detail: "its change request was closed on GitHub" });
  });
});

describe("GitLab merge requests", () => {
  let repoId: string;
  let ns: string;
  beforeAll(async () => {
    ({
      repo: { id: repoId },
      ns,
    } = await providerRepository("gitlab", gl.apiUrl, "acme/config"));
  }, 120_000);

  it("the merge request's opener approving does not count; an unapproval removes an approval", async () => {
    const cr = await proposeOn(repoId, ns, gl.pushBranch);
    gl.externalApprove(cr.externalNumber, BOT); // the project lets authors approve; Tideline does not count it
    let shown = await synced(cr.id);
    expect(shown.reviews.map((r: { userName: string; standing: string }) => [r.userName, r.standing])).toEqual([[BOT, "author"]]);
    expect(shown.mergeable).toBe(false);

    gl.externalApprove(cr.externalNumber, people.approver.username);
    shown = await synced(cr.id);
    const approval = shown.reviews.find((r: { userName: string }) => r.userName === people.approver.username);
    expect(approval).toMatchObject({ standing: "counts", commitSha: cr.headSha });
    expect(shown.mergeable).toBe(true);

    gl.externalUnapprove(cr.externalNumber, people.approver.username);
    shown = await synced(cr.id);
    expect(shown.reviews.find((r: { userName: string }) => r.userName === people.approver.username)).toMatchObject({ standing: "dismissed" });
    expect(shown).toMatchObject({ approvals: 0, mergeable: false });
    expect((await merge(people.dev, cr.id)).status).toBe(409);
    expect(gl.mergeRequest(cr.externalNumber)).toMatchObject({ state: "opened" });
  });
});

// The `tideline` CLI driving real GitOps work, as a child process against a running Tideline
// (route handlers over HTTP, the job worker, real Postgres, git http-backend and the test-bed
// Kubernetes API server): app and env views, sync --wait to success, failure, timeout and
// Degraded (with the exit codes CI gates on), --prune, hold/release, rollback --to, promote with
// approve/reject, change list|get|merge, repo add|list|fetch and cluster add.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { createApplication, createEnvironment } from "../../lib/environments/manage-environments";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { reconcileEnvironment } from "../../lib/reconcile/reconcile-environment";
import { proposeChange } from "../../lib/changes/propose-change";
import { kubeRequest } from "../../lib/kube/transport";
import { changeDeps, fetchDeps, reconcileDeps } from "../../server/root";
import { env } from "../../lib/env";
import { commitFile, createDemoRepository } from "../../support/demo-repo";
import { gitIn, startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { demoSetup } from "../helpers/environments";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { startApiServer, type ApiServer } from "../../support/api-server";
import { buildCli, cliHome, type CliHome, type CliResult } from "../helpers/cli";
import { adminClient, eventually, testbedKubeconfig } from "../helpers/testbed";
import { startTestWorker, stopTestWorker } from "../helpers/worker";

const IMAGE = "ghcr.io/example/guestbook";
type Stage = "dev" | "staging" | "prod";

let git: GitFixtures;
let setup: Awaited<ReturnType<typeof demoSetup>>;
let api: ApiServer;
let h: CliHome;
let ns: string;
let appName: string;
const envs = {} as Record<Stage | "broken" | "stuck" | "pruning", { id: string; name: string }>;
const users = {} as Record<"dev" | "approver" | "admin", Awaited<ReturnType<typeof makeUser>>>;

/** Runs the CLI as `who` (a context of the same config file). */
const as = (who: keyof typeof users, args: string[], input?: string) => h.run([...args, "--context", who], { input });
const tl = (args: string[], input?: string) => as("dev", args, input);
/** `cluster add` has a --context of its own (the kubeconfig's): the Tideline context comes from TIDELINE_CONTEXT. */
const asByEnv = (who: keyof typeof users, args: string[]) => h.run(args, { env: { TIDELINE_CONTEXT: who } });
const ref = (stage: keyof typeof envs) => `${appName}/${stage}`;
const show = (r: CliResult) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

const kustomization = (stage: string, tag: string) => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${ns}-${stage}
resources:
  - ../../../apps/guestbook/base
images:
  - name: ${IMAGE}
    newTag: ${tag}
`;
const configMap = (name: string, value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  value: "${value}"\n`;

async function fetchNow() {
  for (let i = 0; i < 40; i += 1) {
    if ((await fetchRepository(fetchDeps(), setup.repo.id)).status === "fetched") return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("could not fetch the repository");
}

const liveImage = async (namespace: string) =>
  (
    await kubeRequest<{ spec: { template: { spec: { containers: Array<{ image: string }> } } } }>(
      adminClient(),
      "GET",
      `/apis/apps/v1/namespaces/${namespace}/deployments/guestbook`,
    )
  ).spec.template.spec.containers[0]!.image;
const exists = (p: string) =>
  kubeRequest(adminClient(), "GET", p).then(
    () => true,
    () => false,
  );

beforeAll(async () => {
  buildCli();
  await startTestWorker();
  git = await startGitFixtures();
  setup = await demoSetup(git);
  api = await startApiServer();
  h = cliHome();
  users.dev = await makeUser("developer");
  users.approver = await makeUser("approver");
  users.admin = await makeUser("admin");
  for (const [name, u] of Object.entries(users)) {
    const r = await h.run(["login", api.url, "-u", u.username, "--password-stdin", "--name", name], { input: u.password });
    expect(r.code, show(r)).toBe(0);
  }

  ns = uniqueName("cli").toLowerCase();
  const tags: Record<Stage, string> = { dev: "1.6.0", staging: "1.5.0", prod: "1.4.2" };
  for (const stage of ["dev", "staging", "prod"] as Stage[]) {
    await commitFile(setup.bare, {
      branch: "main",
      path: `envs/${ns}/${stage}/kustomization.yaml`,
      content: kustomization(stage, tags[stage]),
      message: `${ns}: add ${stage}`,
    });
  }
  // Rejected by the API server on apply (a Service port must be 1-65535).
  await commitFile(setup.bare, {
    branch: "main",
    path: `envs/${ns}/broken/service.yaml`,
    content: "apiVersion: v1\nkind: Service\nmetadata:\n  name: bad\nspec:\n  ports:\n    - port: 70000\n",
    message: `${ns}: broken`,
  });
  // Applies, but its pods crash-loop (the test bed's pod simulator) and it passes its 2 s progress deadline: Degraded.
  await commitFile(setup.bare, {
    branch: "main",
    path: `envs/${ns}/stuck/deployment.yaml`,
    content: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: stuck
spec:
  replicas: 1
  progressDeadlineSeconds: 2
  selector:
    matchLabels: { app: stuck }
  template:
    metadata:
      labels: { app: stuck }
      annotations: { testbed.tideline.dev/fail: crashloop }
    spec:
      containers:
        - name: web
          image: registry.example/web:1.0
`,
    message: `${ns}: stuck`,
  });
  await commitFile(setup.bare, { branch: "main", path: `envs/${ns}/pruning/a.yaml`, content: configMap("a", "1"), message: `${ns}: a` });
  await commitFile(setup.bare, { branch: "main", path: `envs/${ns}/pruning/b.yaml`, content: configMap("b", "1"), message: `${ns}: b` });
  await fetchNow();

  const app = await createApplication(prisma(), { name: uniqueName("cliapp").toLowerCase() });
  appName = app.name;
  const add = (name: keyof typeof envs, position: number, extra: Record<string, unknown> = {}) =>
    createEnvironment(prisma(), env().mirrorsDir, app.id, {
      name,
      position,
      branch: "main",
      repositoryId: setup.repo.id,
      clusterId: setup.cluster.id,
      renderer: "auto",
      helmValuesFiles: [],
      path: `envs/${ns}/${name}`,
      namespace: `${ns}-${name}`,
      ...extra,
    });
  envs.dev = await add("dev", 0);
  envs.staging = await add("staging", 1);
  envs.prod = await add("prod", 2, { requiredApprovals: 1 });
  envs.broken = await add("broken", 3);
  envs.stuck = await add("stuck", 4);
  envs.pruning = await add("pruning", 5);
  for (const e of Object.values(envs)) await reconcileEnvironment(reconcileDeps(), e.id, { allowAutoSync: false });
}, 240_000);

afterAll(async () => {
  await api?.stop();
  await stopTestWorker();
  await git?.stop();
  h?.remove();
});

describe("reading state", () => {
  it("app list: a table for people, the API's objects with -o json and -o yaml", async () => {
    const t = await tl(["app", "list"]);
    expect(t.code, show(t)).toBe(0);
    const lines = t.stdout.split("\n");
    expect(lines[0]).toMatch(/^NAME\s+ENVIRONMENTS\s+DESCRIPTION$/);
    const row = lines.find((l) => l.startsWith(`${appName} `));
    expect(row).toMatch(
      new RegExp(
        `^${appName}\\s+dev:OutOfSync/Missing staging:OutOfSync/Missing prod:OutOfSync/Missing broken:\\S+ stuck:OutOfSync/Missing pruning:OutOfSync/Missing\\s+-$`,
      ),
    );

    const j = await tl(["app", "list", "-o", "json"]);
    expect(j.code).toBe(0);
    const apps = JSON.parse(j.stdout) as Array<{ id: string; name: string; environments: Array<{ id: string; name: string; syncStatus: string }> }>;
    const mine = apps.find((a) => a.name === appName)!;
    expect(mine.environments.map((e) => [e.name, e.id])).toEqual(Object.entries(envs).map(([name, e]) => [name, e.id]));
    const y = await tl(["app", "list", "-o", "yaml"]);
    expect(y.code).toBe(0);
    expect(parseYaml(y.stdout)).toEqual(apps);
  });

  it("env get shows the source, destination and objects; env diff exits 1 with a unified diff while out of sync", async () => {
    const g = await tl(["env", "get", ref("dev")]);
    expect(g.code, show(g)).toBe(0);
    expect(g.stdout).toContain(`Environment:     ${ref("dev")}`);
    expect(g.stdout).toMatch(new RegExp(`Source:\\s+${setup.repo.name}@main:envs/${ns}/dev \\(kustomize\\)`));
    expect(g.stdout).toMatch(new RegExp(`Destination:\\s+${setup.cluster.name}/${ns}-dev`));
    expect(g.stdout).toMatch(/Deployment\s+\S+\s+guestbook\s+Missing\s+Missing/);

    const d = await tl(["env", "diff", ref("dev")]);
    expect(d.code, show(d)).toBe(1);
    expect(d.stdout).toContain(`===== Deployment/${ns}-dev/guestbook (Missing, not in the cluster)`);
    expect(d.stdout).toContain(`+++ git/Deployment/${ns}-dev/guestbook`);
    expect(d.stdout).toMatch(new RegExp(`^\\+\\s+(- )?image: ${IMAGE.replace(/[.]/g, "\\.")}:1\\.6\\.0$`, "m"));
  });

  it("an unknown environment is exit 2 naming what exists", async () => {
    const r = await tl(["env", "get", `${appName}/qa`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: No environment "qa" in application "${appName}"`);
    expect(r.stderr).toContain(`${appName}/dev`);
  });
});

describe("sync", () => {
  it("--dry-run lists what would change and syncs nothing", async () => {
    const r = await tl(["sync", ref("dev"), "--dry-run"]);
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(/Deployment\s+\S+\s+guestbook\s+create/);
    expect(await prisma().syncRun.count({ where: { environmentId: envs.dev.id } })).toBe(0);
  });

  it("--wait follows the run object by object and exits 0 once it succeeded and is healthy", async () => {
    const r = await tl(["sync", ref("dev"), "--wait", "--timeout", "2m"]);
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(/requested\s+sync run \S+ of /);
    expect(r.stdout).toMatch(new RegExp(`applied\\s+Deployment/${ns}-dev/guestbook`));
    expect(r.stdout).toMatch(/succeeded\s+sync run (\S+) of .* in \d+\.\ds \(\d+ applied/);
    const runId = r.stdout.match(/requested\s+sync run (\S+) of/)![1]!;
    const run = await prisma().syncRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({ status: "succeeded", actorName: users.dev.username, trigger: "manual" });
    expect(await liveImage(`${ns}-dev`)).toBe(`${IMAGE}:1.6.0`);

    const d = await tl(["env", "diff", ref("dev")]);
    expect(d.code, show(d)).toBe(0);
    expect(d.stdout).toBe(`${ref("dev")} matches Git\n`);
    const hist = await tl(["env", "history", ref("dev"), "-o", "json"]);
    expect((JSON.parse(hist.stdout) as Array<{ id: string; status: string }>)[0]).toMatchObject({ id: runId, status: "succeeded" });
    const table = await tl(["env", "history", ref("dev")]);
    expect(table.stdout).toMatch(new RegExp(`^${runId}\\s+succeeded\\s+manual\\s+[0-9a-f]{7}\\s+${users.dev.username}`, "m"));
  });

  it("-o json with --wait prints the finished run on stdout and progress on stderr", async () => {
    const r = await tl(["sync", ref("staging"), "--wait", "-o", "json"]);
    expect(r.code, show(r)).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ environmentId: envs.staging.id, status: "succeeded" });
    expect(r.stderr).toMatch(/succeeded\s+sync run/);
  });

  it("a sync the API server refuses exits 1 with the object and the reason", async () => {
    const r = await tl(["sync", ref("broken"), "--wait"]);
    expect(r.code, show(r)).toBe(1);
    // Its namespace was applied first, so the run is partial rather than failed: still exit 1.
    expect(r.stderr).toMatch(new RegExp(`^error: Sync run \\S+ of ${ref("broken")} partial: 1 object\\(s\\) failed\n`));
    expect(r.stderr).toMatch(/Service\/\S+\/bad: .*70000/);
    const run = await prisma().syncRun.findFirstOrThrow({ where: { environmentId: envs.broken.id }, orderBy: { startedAt: "desc" } });
    expect(run.status).toBe("partial");
  });

  it("a wait that times out exits 1 and says the sync goes on; the Degraded environment then fails env get", async () => {
    const r = await tl(["sync", ref("stuck"), "--wait", "--timeout", "4s"]);
    expect(r.code, show(r)).toBe(1);
    expect(r.stderr).toMatch(/^error: Timed out after 4s waiting for sync run \S+; it goes on on the server\n$/);
    expect(r.ms).toBeLessThan(10_000);
    // The Deployment passes its progress deadline; a reconcile records the environment's health.
    const live = `/apis/apps/v1/namespaces/${ns}-stuck/deployments/stuck`;
    const degraded = await eventually(
      async () => {
        await reconcileEnvironment(reconcileDeps(), envs.stuck.id, { allowAutoSync: false });
        return prisma().environment.findUniqueOrThrow({ where: { id: envs.stuck.id } });
      },
      (e) => e.health === "Degraded",
      60_000,
    );
    expect(degraded.health).toBe("Degraded");
    expect(await exists(live)).toBe(true);
    const g = await tl(["env", "get", ref("stuck")]);
    expect(g.code, show(g)).toBe(1);
    expect(g.stdout).toMatch(/Health:\s+Degraded/);
    expect(g.stderr).toBe(`error: ${ref("stuck")} is Degraded\n`);
    const json = await tl(["env", "get", ref("stuck"), "-o", "json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).environment.health).toBe("Degraded");
    // app get prints the whole pipeline, then fails for the Degraded one.
    const app = await tl(["app", "get", appName]);
    expect(app.code, show(app)).toBe(1);
    expect(app.stdout).toMatch(/^stuck\s+\S+\s+Degraded\s/m);
    expect(app.stderr).toBe(`error: ${ref("stuck")} is Degraded\n`);
  }, 90_000);

  it("--prune deletes objects removed from Git for this sync only; without it they stay", async () => {
    const first = await tl(["sync", ref("pruning"), "--wait"]);
    expect(first.code, show(first)).toBe(0);
    const cm = (name: string) => `/api/v1/namespaces/${ns}-pruning/configmaps/${name}`;
    expect(await exists(cm("b"))).toBe(true);
    // b.yaml now renders a ConfigMap "c": "b" is only in the cluster.
    await commitFile(setup.bare, { branch: "main", path: `envs/${ns}/pruning/b.yaml`, content: configMap("c", "1"), message: `${ns}: b -> c` });
    await fetchNow();
    const keep = await tl(["sync", ref("pruning"), "--wait"]);
    expect(keep.code, show(keep)).toBe(0);
    expect(await exists(cm("b"))).toBe(true);
    expect(await exists(cm("c"))).toBe(true);
    const pruned = await tl(["sync", ref("pruning"), "--wait", "--prune"]);
    expect(pruned.code, show(pruned)).toBe(0);
    expect(pruned.stdout).toMatch(new RegExp(`pruned\\s+ConfigMap/${ns}-pruning/b\\s+deleted: no longer in Git`));
    expect(await exists(cm("b"))).toBe(false);
    const run = await prisma().syncRun.findFirstOrThrow({ where: { environmentId: envs.pruning.id }, orderBy: { startedAt: "desc" } });
    expect(run.prune).toBe(true);
    expect((await prisma().environment.findUniqueOrThrow({ where: { id: envs.pruning.id } })).prune).toBe(false);
  });

  it("a viewer may not sync: exit 3 naming the action", async () => {
    const viewer = await makeUser("viewer");
    const v = cliHome();
    try {
      expect((await v.run(["login", api.url, "-u", viewer.username, "--password-stdin"], { input: viewer.password })).code).toBe(0);
      const r = await v.run(["sync", ref("dev")]);
      expect(r.code, show(r)).toBe(3);
      expect(r.stderr).toContain("may not perform environment.sync");
    } finally {
      v.remove();
    }
  });
});

describe("hold, release and rollback", () => {
  it("hold keeps auto-sync at the synced revision with a reason; release lets it go", async () => {
    const before = await prisma().environment.findUniqueOrThrow({ where: { id: envs.dev.id } });
    const r = await tl(["hold", ref("dev"), "--reason", "incident 42"]);
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toBe(`Held ${ref("dev")} at ${before.syncedRevision!.slice(0, 7)}: auto-sync stays there until \`tideline release ${ref("dev")}\`\n`);
    const held = await prisma().environment.findUniqueOrThrow({ where: { id: envs.dev.id } });
    expect(held).toMatchObject({
      syncHold: true,
      syncHoldRevision: before.syncedRevision,
      syncHoldReason: `Held at ${before.syncedRevision!.slice(0, 7)} by ${users.dev.username}: incident 42`,
    });
    const audit = await prisma().auditEvent.findFirst({ where: { action: "environment.hold", targetId: envs.dev.id } });
    expect(audit?.actorName).toBe(users.dev.username);
    expect((await tl(["env", "get", ref("dev")])).stdout).toMatch(/Hold:\s+Held at [0-9a-f]{7} by .*: incident 42/);

    // While held, a sync (manual here; auto-sync alike) stays at the held revision although Git moved on.
    await commitFile(setup.bare, {
      branch: "main",
      path: `envs/${ns}/dev/kustomization.yaml`,
      content: kustomization("dev", "1.8.0"),
      message: `${ns}: dev 1.8.0`,
    });
    await fetchNow();
    const heldSync = await tl(["sync", ref("dev"), "--wait", "-o", "json"]);
    expect(heldSync.code, show(heldSync)).toBe(0);
    expect(JSON.parse(heldSync.stdout).revision).toBe(before.syncedRevision);
    expect(await liveImage(`${ns}-dev`)).toBe(`${IMAGE}:1.6.0`);

    const again = await tl(["hold", ref("dev"), "--reason", "twice"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`is already held: Held at`);
    const empty = await tl(["hold", ref("staging"), "--reason", " "]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe("error: Invalid body: reason: say why auto-sync is held\n  reason: say why auto-sync is held\n");
    const rel = await tl(["release", ref("dev")]);
    expect(rel.code, show(rel)).toBe(0);
    expect(rel.stdout).toBe(`Released the sync hold of ${ref("dev")}\n`);
    expect((await prisma().environment.findUniqueOrThrow({ where: { id: envs.dev.id } })).syncHold).toBe(false);
    const twice = await tl(["release", ref("dev")]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain("has no sync hold");
  });

  it("rollback --to an earlier sync restores it, holds auto-sync and opens a revert change request", async () => {
    const first = await prisma().syncRun.findFirstOrThrow({ where: { environmentId: envs.dev.id, status: "succeeded" }, orderBy: { startedAt: "asc" } });
    await commitFile(setup.bare, {
      branch: "main",
      path: `envs/${ns}/dev/kustomization.yaml`,
      content: kustomization("dev", "1.7.0"),
      message: `${ns}: dev 1.7.0`,
    });
    await fetchNow();
    const s = await tl(["sync", ref("dev"), "--wait"]);
    expect(s.code, show(s)).toBe(0);
    expect(await liveImage(`${ns}-dev`)).toBe(`${IMAGE}:1.7.0`);

    const bad = await tl(["rollback", ref("dev"), "--to", "nope"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`error: "nope" is not a successful sync of ${ref("dev")} to roll back to`);
    expect(bad.stderr).toContain(`${first.revision.slice(0, 7)}  ${ns}: b`);

    // --to takes a sync run id or (as here) the revision it synced.
    const r = await tl(["rollback", ref("dev"), "--to", first.revision.slice(0, 7), "--reason", "1.7.0 is broken", "--wait", "--timeout", "2m"]);
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Rollback \\S+ of ${ref("dev")} to ${first.revision.slice(0, 7)}: succeeded`));
    expect(await liveImage(`${ns}-dev`)).toBe(`${IMAGE}:1.6.0`);
    const e = await prisma().environment.findUniqueOrThrow({ where: { id: envs.dev.id } });
    expect(e).toMatchObject({ syncHold: true, syncHoldRevision: first.revision });
    expect(e.syncHoldChangeRequestId).not.toBeNull();
  });
});

describe("changes", () => {
  it("change list shows the revert; change get shows it; change merge lands it and releases the hold", async () => {
    const cr = await prisma().changeRequest.findFirstOrThrow({
      where: { id: (await prisma().environment.findUniqueOrThrow({ where: { id: envs.dev.id } })).syncHoldChangeRequestId! },
    });
    const list = await tl(["change", "list"]);
    expect(list.code, show(list)).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${cr.id}\\s+${setup.repo.name}#${cr.number}\\s+open\\s+rollback\\s+Revert dev to`, "m"));
    const get = await tl(["change", "get", `${setup.repo.name}#${cr.number}`]);
    expect(get.code, show(get)).toBe(0);
    expect(get.stdout).toMatch(/Status:\s+open/);
    expect(get.stdout).toMatch(new RegExp(`Change:\\s+${setup.repo.name}#${cr.number} Revert dev to`));
    expect(get.stdout).toContain(`envs/${ns}/dev/kustomization.yaml`);

    const m = await tl(["change", "merge", cr.id]);
    expect(m.code, show(m)).toBe(0);
    expect(m.stdout).toMatch(new RegExp(`^Merged ${setup.repo.name}#${cr.number} into main as [0-9a-f]{7}\\n$`));
    expect(await gitIn(setup.bare, "show", `main:envs/${ns}/dev/kustomization.yaml`)).toContain("newTag: 1.6.0");
    const released = await eventually(
      () => prisma().environment.findUniqueOrThrow({ where: { id: envs.dev.id } }),
      (e) => !e.syncHold,
      20_000,
    );
    expect(released.syncHold).toBe(false);
    const merged = await tl(["change", "list", "--status", "merged", "-o", "json"]);
    expect((JSON.parse(merged.stdout) as Array<{ id: string }>).map((c) => c.id)).toContain(cr.id);
  });

  it("merging a change that is not mergeable exits non-zero with the server's reason", async () => {
    const head = await gitIn(setup.bare, "rev-parse", "main");
    const u = await prisma().user.findUniqueOrThrow({ where: { id: users.dev.id } });
    const cr = await proposeChange(changeDeps(), u, {
      repositoryId: setup.repo.id,
      baseBranch: "main",
      baseSha: head,
      title: "notes",
      body: "",
      edits: [{ path: `notes/${ns}.md`, content: "hello\n" }],
    });
    const r = await tl(["change", "merge", cr.id, "--expected-head", "0".repeat(40)]);
    expect(r.code, show(r)).not.toBe(0);
    expect(r.stderr).toMatch(/^error: Change request #\d+ has new commits since you looked \(now at [0-9a-f]{7}\); review them before merging\n$/);
    expect(r.code).toBe(1);
    expect((await prisma().changeRequest.findUniqueOrThrow({ where: { id: cr.id } })).status).toBe("open");
  });
});

describe("promote, approve and reject", () => {
  it("promote dev -> staging --wait commits the new tag and follows it to synced", async () => {
    const r = await tl(["promote", ref("dev"), ref("staging"), "--wait", "--timeout", "2m"]);
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(/images, 1 file\(s\), ghcr\.io\/example\/guestbook:1\.5\.0->1\.6\.0/);
    expect(r.stdout).toMatch(new RegExp(`Promotion \\S+ of ${ref("dev")} to ${ref("staging")}: succeeded`));
    expect(await gitIn(setup.bare, "show", `main:envs/${ns}/staging/kustomization.yaml`)).toContain("newTag: 1.6.0");
    expect(await liveImage(`${ns}-staging`)).toBe(`${IMAGE}:1.6.0`);
  });

  it("into protected prod: waits for approval; reject ends it; approve (by someone else) lands it", async () => {
    const first = await tl(["promote", ref("staging"), ref("prod"), "-o", "json"]);
    expect(first.code, show(first)).toBe(0);
    const p1 = JSON.parse(first.stdout) as { id: string; status: string };
    expect(p1.status).toBe("awaiting_approval");
    expect(first.stderr).toContain(`needs 1 approval(s): tideline approve ${p1.id}`);

    const selfApprove = await tl(["approve", p1.id]);
    expect(selfApprove.code).not.toBe(0);
    const rej = await as("approver", ["reject", p1.id, "-m", "not today"]);
    expect(rej.code, show(rej)).toBe(0);
    expect(rej.stdout).toBe(`Rejected promotion ${p1.id}: now rejected\n`);
    expect((await prisma().promotion.findUniqueOrThrow({ where: { id: p1.id } })).status).toBe("rejected");

    const second = await tl(["promote", ref("staging"), ref("prod"), "-o", "json"]);
    const p2 = JSON.parse(second.stdout) as { id: string };
    const inbox = await as("approver", ["promotion", "list", "--inbox", "-o", "json"]);
    expect((JSON.parse(inbox.stdout) as Array<{ id: string }>).map((p) => p.id)).toContain(p2.id);
    const ok = await as("approver", ["approve", p2.id, "-m", "go"]);
    expect(ok.code, show(ok)).toBe(0);
    const done = await eventually(
      () => prisma().promotion.findUniqueOrThrow({ where: { id: p2.id } }),
      (p) => ["succeeded", "failed"].includes(p.status),
      60_000,
    );
    expect(done.status).toBe("succeeded");
    expect(await liveImage(`${ns}-prod`)).toBe(`${IMAGE}:1.6.0`);
    const get = await tl(["promotion", "get", p2.id]);
    expect(get.stdout).toMatch(/Status:\s+succeeded/);
    expect(get.stdout).toContain(users.approver.username);
  }, 120_000);
});

describe("repositories and clusters", () => {
  it("repo add --wait clones, repo list shows it, repo fetch --wait picks up a new commit", async () => {
    const bare = path.join(git.root, `${uniqueName("extra")}.git`);
    await createDemoRepository(bare);
    const name = uniqueName("extra");
    const add = await as("admin", ["repo", "add", name, `${git.open.url}/${path.basename(bare)}`, "--wait"]);
    expect(add.code, show(add)).toBe(0);
    expect(add.stdout).toMatch(new RegExp(`^Repository ${name} \\(\\S+\\): ready, default branch main\\n$`, "m"));
    const list = await tl(["repo", "list"]);
    expect(list.stdout).toMatch(new RegExp(`^${name}\\s+${git.open.url.replace(/[.]/g, "\\.")}/\\S+\\s+ready\\s+main`, "m"));

    const sha = await commitFile(bare, { branch: "main", path: "README.md", content: "moved\n", message: "move main" });
    const f = await tl(["repo", "fetch", name, "--wait"]);
    expect(f.code, show(f)).toBe(0);
    expect(f.stdout).toBe(`Fetched ${name}: ready\n`);
    const repo = await prisma().repository.findFirstOrThrow({ where: { name } });
    expect(await prisma().commit.count({ where: { repositoryId: repo.id, sha } })).toBe(1);

    const dup = await as("admin", ["repo", "add", name, `${git.open.url}/${path.basename(bare)}`]);
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toContain(name);
    const denied = await tl(["repo", "add", uniqueName("x"), `${git.open.url}/x.git`]);
    expect(denied.code).toBe(3);
  });

  it("cluster add --kubeconfig FILE --context C registers that context (the server checks it)", async () => {
    const kubeconfig = testbedKubeconfig("admin");
    const file = path.join(h.dir, "kubeconfig.yaml");
    writeFileSync(file, kubeconfig, { mode: 0o600 });
    const context = parseYaml(kubeconfig)["current-context"] as string;
    const name = uniqueName("tb").toLowerCase();
    const r = await asByEnv("admin", ["cluster", "add", name, "--kubeconfig", file, "--context", context]);
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Cluster:\\s+${name}`));
    expect(r.stdout).toMatch(new RegExp(`Context:\\s+${context}`));
    const row = await prisma().cluster.findFirstOrThrow({ where: { name } });
    expect(row.contextName).toBe(context);
    const list = await tl(["cluster", "list"]);
    expect(list.stdout).toMatch(new RegExp(`^${name}\\s+https://`, "m"));

    const wrong = await asByEnv("admin", ["cluster", "add", uniqueName("tb").toLowerCase(), "--kubeconfig", file, "--context", "no-such-context"]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("no-such-context");
    const missing = await asByEnv("admin", ["cluster", "add", "x", "--kubeconfig", path.join(h.dir, "nope.yaml")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`error: Cannot read kubeconfig ${path.join(h.dir, "nope.yaml")}: ENOENT\n`);
  });
});

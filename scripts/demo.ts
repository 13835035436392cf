// `npm run demo`: everything a newcomer needs on a fresh machine, in one process tree:
// Postgres (embedded unless DATABASE_URL), schema, a demo Git repository served by a real
// Git server, the first admin, the repository tracked and indexed, then the dashboard.
import path from "node:path";
import { existsSync, writeFileSync } from "node:fs";
import { spawn, spawnSync } from "node:child_process";
import { ROOT, ensureSecretKey, generatePrismaClient, migrate, startDatabase } from "../support/stack";
import { createDemoRepository } from "../support/demo-repo";
import { startGitServer } from "../support/git-server";
import { installTools, startTestbed } from "./testbed.mjs";

// Tideline's logs (the Next server and the setup below) are read by a person here: pretty, not JSON.
process.env.TIDELINE_LOG_FORMAT ??= "pretty";
const dataDir = path.resolve(process.env.TIDELINE_DATA_DIR ?? path.join(ROOT, ".tideline"));
const port = Number(process.env.PORT ?? 3000);
const gitPort = Number(process.env.TIDELINE_DEMO_GIT_PORT ?? 3001);
const step = (message: string) => console.log(`\x1b[36m▸\x1b[0m ${message}`);

step(`Data folder: ${dataDir}`);
const secretKey = ensureSecretKey(dataDir);
step(process.env.DATABASE_URL ? "Using DATABASE_URL" : "Starting embedded PostgreSQL");
const database = await startDatabase({ dataDir, database: "tideline", quiet: true });
step("Applying migrations");
migrate(database.url);
generatePrismaClient();

Object.assign(process.env, { DATABASE_URL: database.url, TIDELINE_SECRET_KEY: secretKey, TIDELINE_DATA_DIR: dataDir });

step("Preparing the demo Git repository");
const gitRoot = path.join(dataDir, "demo-git");
await createDemoRepository(path.join(gitRoot, "platform-config.git"));
const gitServer = await startGitServer({ root: gitRoot, port: gitPort });
step(`Git server: ${gitServer.url}/platform-config.git`);

step("Starting the Kubernetes test bed (the first run builds it from source: expect 15-30 minutes)");
await installTools();
const testbed = await startTestbed({ dir: path.join(dataDir, "testbed"), port: Number(process.env.TIDELINE_DEMO_KUBE_PORT ?? 6443) });
step(`Kubernetes ${testbed.version}: ${testbed.server} (kubeconfig ${testbed.kubeconfigPath})`);

const { db } = await import("../lib/db");
const { bootstrapAdmin } = await import("../lib/setup/bootstrap-admin");
const { addRepository } = await import("../lib/repositories/add-repository");
const { fetchRepository } = await import("../lib/repositories/fetch-repository");
const { fetchDeps, sealDeps } = await import("../server/root");

const admin = await bootstrapAdmin(db(), { password: process.env.TIDELINE_ADMIN_PASSWORD });
if (admin) {
  const file = path.join(dataDir, "admin-credentials.txt");
  writeFileSync(file, `username: ${admin.username}\npassword: ${admin.password}\n`, { mode: 0o600 });
  console.log(
    `\n  First admin created — sign in with\n    username: \x1b[1m${admin.username}\x1b[0m\n    password: \x1b[1m${admin.password}\x1b[0m\n  (shown once; also saved to ${file}, mode 0600)\n`,
  );
}
let demo = await db().repository.findUnique({ where: { name: "platform-config" } });
const demoUrl = `${gitServer.url}/platform-config.git`;
if (demo && demo.url !== demoUrl) demo = await db().repository.update({ where: { id: demo.id }, data: { url: demoUrl } });
demo ??= await addRepository(sealDeps(), { name: "platform-config", url: demoUrl }, null);
step("Indexing the demo repository");
await fetchRepository(fetchDeps(), demo.id);

const { registerCluster, checkCluster } = await import("../lib/clusters/manage-clusters");
const { clusterDeps } = await import("../server/root");
const { readFileSync } = await import("node:fs");
const kubeconfig = readFileSync(testbed.kubeconfigPath, "utf8");
let local = await db().cluster.findUnique({ where: { name: "local" } });
if (local && (await checkCluster(clusterDeps(), local.id)).cluster.status !== "connected") {
  // The test bed was recreated with new certificates: register it afresh.
  await db().cluster.delete({ where: { id: local.id } });
  local = null;
}
if (!local) {
  const context = (await import("yaml")).parse(kubeconfig)["current-context"] as string;
  const { cluster } = await registerCluster(clusterDeps(), { source: "kubeconfig", name: "local", kubeconfig, context });
  step(`Registered the test bed as cluster "local" (${cluster.status})`);
  local = await db().cluster.findUniqueOrThrow({ where: { name: "local" } });
}

// Demo applications: guestbook (Kustomize, dev -> staging -> prod) and redis (Helm).
const { createApplication, createEnvironment } = await import("../lib/environments/manage-environments");
const { reconcileEnvironment } = await import("../lib/reconcile/reconcile-environment");
const { reconcileDeps } = await import("../server/root");
const { env: tidelineEnv } = await import("../lib/env");
const demoApps = [
  {
    name: "guestbook",
    envs: ["dev", "staging", "prod"].map((e) => ({ name: e, path: `apps/guestbook/overlays/${e}`, namespace: `guestbook-${e}`, autoSync: e === "dev" })),
  },
  {
    name: "payments",
    envs: ["dev", "staging", "prod"].map((e) => ({ name: e, path: `apps/payments/overlays/${e}`, namespace: `payments-${e}`, autoSync: e === "dev" })),
  },
];
// Two projects, one per team: each may render only its own folder of the demo repository and deploy
// only to its own namespaces (no cluster-scoped kinds beyond its namespaces), as a platform team would set up.
const { createProject } = await import("../lib/projects/manage-projects");
const projectIds = new Map<string, string>();
for (const team of demoApps.map((a) => a.name)) {
  const existing = await db().project.findUnique({ where: { name: `team-${team}` } });
  const project =
    existing ??
    (await createProject(db(), {
      name: `team-${team}`,
      description: `The ${team} team: apps/${team}/** of the demo repository, into ${team}-* namespaces`,
      sourceRepos: [{ repository: demo.id, path: `apps/${team}/**` }],
      destinations: [{ cluster: "local", namespace: `${team}-*` }],
      clusterResourceWhitelist: [],
      namespaceResourceBlacklist: [{ group: "", kind: "ResourceQuota" }],
    }));
  if (!existing) step(`Demo project team-${team}: apps/${team}/** into ${team}-* namespaces of cluster local`);
  projectIds.set(team, project.id);
}
for (const spec of demoApps) {
  if (await db().application.findUnique({ where: { name: spec.name } })) continue;
  const app = await createApplication(db(), { name: spec.name, projectId: projectIds.get(spec.name) });
  for (const e of spec.envs) {
    const created = await createEnvironment(db(), tidelineEnv().mirrorsDir, app.id, {
      ...e,
      repositoryId: demo.id,
      branch: "main",
      clusterId: local!.id,
      renderer: "auto",
      helmValuesFiles: [],
      prune: true,
      selfHeal: false,
    });
    await reconcileEnvironment(reconcileDeps(), created.id).catch((err) => console.warn(`reconcile ${spec.name}/${e.name}: ${(err as Error).message}`));
  }
  // prod is protected: promotions into it need an approval from someone other than the author.
  await db().environment.updateMany({ where: { applicationId: app.id, name: "prod" }, data: { requiredApprovals: 1 } });
  step(`Demo application ${spec.name}: ${spec.envs.map((e) => e.name).join(" -> ")} (prod needs 1 approval)`);
}

// Two more people, so a newcomer can try the approval flow (promote as dana, approve as alex).
const { createUser } = await import("../lib/users/manage-users");
const { randomBytes } = await import("node:crypto");
const people: string[] = [];
for (const [username, role] of [
  ["dana", "developer"],
  ["alex", "approver"],
] as const) {
  if (await db().user.findUnique({ where: { username } })) continue;
  const password = randomBytes(9).toString("base64url");
  await createUser(db(), { username, password, role, displayName: username === "dana" ? "Dana (developer)" : "Alex (approver)" });
  people.push(`username: ${username}\npassword: ${password}\nrole: ${role}\n`);
}
if (people.length) {
  const file = path.join(dataDir, "demo-users.txt");
  writeFileSync(file, people.join("\n"), { mode: 0o600 });
  console.log(`\n  Demo users for the approval flow (saved to ${file}):\n${people.map((p) => p.replace(/^/gm, "    ")).join("\n")}`);
}
await db().$disconnect();

const nextBin = path.join(ROOT, "node_modules", ".bin", "next");
if (!existsSync(path.join(ROOT, ".next", "BUILD_ID")) || process.env.TIDELINE_REBUILD === "1") {
  step("Building the dashboard (first run only; set TIDELINE_REBUILD=1 to rebuild)");
  spawnSync(process.execPath, [path.join(ROOT, "scripts", "copy-monaco.mjs")], { stdio: "inherit" });
  const build = spawnSync(nextBin, ["build"], { cwd: ROOT, stdio: "inherit", env: process.env });
  if (build.status !== 0) throw new Error("next build failed");
}
step(`Dashboard: http://localhost:${port}`);
const server = spawn(nextBin, ["start", "-p", String(port)], { cwd: ROOT, stdio: "inherit", env: process.env });

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  server.kill("SIGTERM");
  await gitServer.stop();
  await testbed.stop();
  await database.stop();
  process.exit(0);
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
server.on("exit", shutdown);

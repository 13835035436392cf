// Starts everything the browser tests use: Postgres, a Git server with the demo repository,
// known users, and `next start` on E2E_PORT, built from the current sources.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { ROOT, freshDatabase } from "../support/stack";
import { createDemoRepository } from "../support/demo-repo";
import { startGitServer } from "../support/git-server";
import { startTestbed } from "../scripts/testbed.mjs";
import { startOidcProvider } from "../support/oidc-provider";
import { E2E_STATE_FILE, USERS, type E2EState } from "./fixtures/state";

async function waitForHttp(url: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`Server at ${url} did not start within ${timeoutMs} ms`);
}

export default async function globalSetup() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "tideline-e2e-"));
  chmodSync(tmp, 0o755);
  const { url: dbUrl, stop: stopDb } = await freshDatabase({ dataDir: tmp, prefix: "tideline_e2e" });

  const gitRoot = path.join(tmp, "git");
  await createDemoRepository(path.join(gitRoot, "platform-config.git"));
  const git = await startGitServer({ root: gitRoot });
  const testbed = await startTestbed({ quiet: true });

  const port = Number(process.env.E2E_PORT ?? 3100);
  const oidc = await startOidcProvider({
    clients: [{ client_id: "tideline", client_secret: "e2e-client-secret", redirect_uris: [`http://127.0.0.1:${port}/api/auth/oidc/callback`] }],
    groups: { "ops-lead": ["platform-admins"], "dev-1": ["deployers"] },
  });
  const env = {
    ...process.env,
    TIDELINE_PUBLIC_URL: `http://127.0.0.1:${port}`,
    TIDELINE_OIDC_ISSUER: oidc.issuer,
    TIDELINE_OIDC_CLIENT_ID: "tideline",
    TIDELINE_OIDC_CLIENT_SECRET: "e2e-client-secret",
    TIDELINE_OIDC_ROLE_MAP: "platform-admins=admin,deployers=developer",
    DATABASE_URL: dbUrl,
    TIDELINE_SECRET_KEY: randomBytes(32).toString("base64"),
    TIDELINE_DATA_DIR: path.join(tmp, "data"),
    TIDELINE_FETCH_INTERVAL_SECONDS: "0",
    // This process seeds through lib/ (npm run test:e2e sets React's server condition for `import "server-only"`);
    // the Next build and server pick their conditions per layer themselves and must not inherit it.
    NODE_OPTIONS: (process.env.NODE_OPTIONS ?? "").replace("--conditions=react-server", "").trim(),
  };
  Object.assign(process.env, env);
  const { db } = await import("../lib/db");
  const { createUser } = await import("../lib/users/manage-users");
  for (const user of Object.values(USERS)) await createUser(db(), user);
  await db().$disconnect();

  if (process.env.E2E_SKIP_BUILD !== "1") {
    const build = spawnSync("npm", ["run", "build"], { cwd: ROOT, env, stdio: "inherit" });
    if (build.status !== 0) throw new Error("npm run build failed");
  }
  const server = spawn(path.join(ROOT, "node_modules", ".bin", "next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
  });
  await waitForHttp(`http://127.0.0.1:${port}/login`, 60_000);

  // serverEnv lets a spec start a second, identical server of its own (e2e/stream-resume.spec.ts restarts it).
  const serverEnv = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === "string"));
  const state: E2EState = {
    gitUrl: git.url,
    gitRoot,
    kubeconfigPath: testbed.kubeconfigPath,
    viewerKubeconfigPath: testbed.viewerKubeconfigPath,
    serverEnv,
  };
  writeFileSync(E2E_STATE_FILE, JSON.stringify(state), { mode: 0o600 });

  return async () => {
    try {
      process.kill(-server.pid!, "SIGTERM");
    } catch {}
    await git.stop();
    await testbed.stop();
    await oidc.stop();
    await stopDb();
    rmSync(tmp, { recursive: true, force: true });
    rmSync(E2E_STATE_FILE, { force: true });
  };
}

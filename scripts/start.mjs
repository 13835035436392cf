#!/usr/bin/env node
// `npm run start -- --role web|worker|all`: web serves pages and the API (and enqueues jobs),
// worker runs jobs only, all (the default) does both in one process. TIDELINE_ROLE works too.
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { role: { type: "string" }, port: { type: "string", short: "p" } }, allowPositionals: true });
const role = values.role ?? process.env.TIDELINE_ROLE ?? "all";
if (!["web", "worker", "all"].includes(role)) {
  console.error(`--role must be web, worker or all (got "${role}")`);
  process.exit(2);
}
const env = { ...process.env, TIDELINE_ROLE: role };
// The worker runs lib/ under plain Node: React's server condition makes `import "server-only"` the empty module there.
const child =
  role === "worker"
    ? spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "server/worker-main.ts"], { env, stdio: "inherit" })
    : spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", ...(values.port ? ["-p", values.port] : [])], { env, stdio: "inherit" });
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

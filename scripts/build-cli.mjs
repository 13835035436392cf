// Builds the `tideline` CLI into one ESM file (cli/dist/tideline.mjs) with esbuild, so a command
// starts in tens of milliseconds instead of compiling TypeScript through tsx on every run.
// Run by `npm run build:cli` and by `prepare` (after `npm ci`). Fails if the CLI pulls in
// anything outside cli/ and its npm dependencies (a server module would drag in Prisma).
// --if-possible (prepare): an install never fails over the bundle; without it the CLI runs from
// source through tsx, so a problem is reported and the install goes on.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const lenient = process.argv.includes("--if-possible");
function fail(message) {
  console.error(
    `build-cli: ${message}${lenient ? '\nbuild-cli: tideline will run from source through tsx (slower start); run "npm run build:cli" to see why' : ""}`,
  );
  process.exit(lenient ? 0 : 1);
}

let build;
try {
  ({ build } = await import("esbuild"));
} catch (e) {
  fail(`esbuild is not installed (${e.code ?? e.message})`);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outfile = path.join(root, "cli", "dist", "tideline.mjs");

const result = await build({
  absWorkingDir: root,
  entryPoints: ["cli/main.ts"],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  minifySyntax: true,
  legalComments: "none",
  metafile: true,
  write: false,
  logLevel: "warning",
  // commander is CommonJS: its require() of Node built-ins needs a real require in an ES module.
  banner: { js: 'import { createRequire as __tidelineRequire } from "node:module"; const require = __tidelineRequire(import.meta.url);' },
}).catch((e) => fail(e.message));

// npm packages may resolve outside the project (a symlinked node_modules); anything else must be under cli/.
const outside = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith("cli/") && !f.split("/").includes("node_modules"));
if (outside.length) fail(`the CLI must import only cli/** and npm packages, but it pulls in:\n  ${outside.join("\n  ")}`);
// Written beside and renamed over the old bundle: a CLI starting meanwhile (or a second build) never reads half a file.
mkdirSync(path.dirname(outfile), { recursive: true });
const tmp = `${outfile}.${process.pid}.tmp`;
writeFileSync(tmp, result.outputFiles[0].contents);
renameSync(tmp, outfile);
const bytes = result.outputFiles[0].contents.byteLength;
if (!process.argv.includes("--quiet"))
  console.log(`build-cli: ${path.relative(root, outfile)} (${Math.round(bytes / 1024)} KB, ${Object.keys(result.metafile.inputs).length} modules)`);

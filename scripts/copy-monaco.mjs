// Copies Monaco's AMD build into public/monaco so the editor loads from our origin.
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const source = path.join(root, "node_modules", "monaco-editor", "min", "vs");
const target = path.join(root, "public", "monaco", "vs");
const version = JSON.parse(readFileSync(path.join(root, "node_modules", "monaco-editor", "package.json"), "utf8")).version;
const stamp = path.join(root, "public", "monaco", ".version");
if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== version) {
  cpSync(source, target, { recursive: true });
  writeFileSync(stamp, version);
  console.log(`copied monaco-editor ${version} to public/monaco`);
}

// The shape the codebase promises: lib/ never reaches up into the composition root (server/) or
// app/, and no module imports itself back through a cycle, dynamic import() included.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import madge from "madge";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (name === "generated" || name === "node_modules") return [];
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(name) ? [p] : [];
  });
}

describe("architecture", () => {
  it("lib/ imports neither the composition root (server/) nor app/", () => {
    const offenders = files(path.join(ROOT, "lib")).filter((f) =>
      /from\s+["'](@\/(server|app)\/|(\.\.\/)+(server|app)\/)|import\(\s*["'](@\/(server|app)\/|(\.\.\/)+(server|app)\/)/.test(readFileSync(f, "utf8")),
    );
    expect(offenders.map((f) => path.relative(ROOT, f))).toEqual([]);
  });

  it("lib/ and server/ have no import cycles, dynamic import() included", async () => {
    const graph = await madge([path.join(ROOT, "lib"), path.join(ROOT, "server")], {
      fileExtensions: ["ts", "tsx"],
      tsConfig: path.join(ROOT, "tsconfig.json"),
      excludeRegExp: [/lib\/generated\//],
      detectiveOptions: { ts: { skipTypeImports: true, skipAsyncImports: false } },
    });
    expect(graph.circular()).toEqual([]);
  }, 60_000);
});

// The OpenAPI document describes routes that exist, with scopes that exist.
import { existsSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { openApiDocument } from "../../lib/api/openapi";
import { PERMISSIONS } from "../../lib/auth/roles";

it("lists only real routes and real scopes", () => {
  const doc = openApiDocument();
  expect(doc.openapi).toBe("3.1.0");
  for (const [route, ops] of Object.entries(doc.paths)) {
    const file = path.resolve("app", route.slice(1).replace(/\{(\w+)\}/g, "[$1]"), "route.ts");
    expect(existsSync(file), `${route} has a route file`).toBe(true);
    for (const op of Object.values(ops as Record<string, { "x-scope"?: string; security?: unknown[] }>)) {
      // Probes and the scrape endpoint have no role-based scope: they say so with their own security.
      if (op.security) expect(op["x-scope"], `${route} has its own security, no scope`).toBeUndefined();
      else expect(Object.keys(PERMISSIONS)).toContain(op["x-scope"]);
    }
  }
  expect(JSON.stringify(doc.paths["/api/environments/{id}/sync"])).toContain("expectedRevision");
  expect(doc.paths["/api/health"].get.security).toEqual([]);
});

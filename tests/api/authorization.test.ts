// Every API route, every role: no session gets 401, a role below the route's minimum gets
// 403, and the minimum role gets past the check. The table must list every handler that
// exists under app/api, so a new route cannot ship without a decision about who may call it.
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROLES, type RoleName } from "../../lib/auth/roles";
import { seal } from "../../lib/crypto/keyring";
import { createSession, SESSION_COOKIE } from "../../lib/auth/sessions";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { callRoute, routeModule } from "../helpers/routes";
import { NextRequest } from "next/server";

type Method = "GET" | "POST" | "PATCH" | "DELETE";
const X = "cx0000000000000000000000"; // an id that does not exist: allowed calls end in 404/422, never 401/403
const SHA = "0".repeat(40);

// Git webhook receivers take no session by design: each delivery is authenticated by its signature
// (HMAC or GitLab token) with the repository's webhook secret; see "webhook receivers" below.
const SIGNED = [
  ["webhooks/git", "POST"],
  ["webhooks/git/[repositoryId]", "POST"],
];
// The image webhook (CI jobs, registries) takes an API token with image.manage or the CI HMAC secret.
const IMAGE_WEBHOOKS = [["webhooks/images", "POST"]];

const TABLE: Array<[route: string, method: Method, minimum: RoleName | "authenticated"]> = [
  ["auth/logout", "POST", "authenticated"],
  ["auth/me", "GET", "authenticated"],
  ["repositories", "GET", "viewer"],
  ["repositories", "POST", "admin"],
  ["repositories/[id]", "GET", "viewer"],
  ["repositories/[id]", "DELETE", "admin"],
  ["repositories/[id]", "PATCH", "admin"],
  ["repositories/[id]/fetch", "POST", "developer"],
  ["repositories/[id]/branches", "GET", "viewer"],
  ["repositories/[id]/commits", "GET", "viewer"],
  ["repositories/[id]/commits/[sha]", "GET", "viewer"],
  ["repositories/[id]/commits/[sha]/diff", "GET", "viewer"],
  ["repositories/[id]/tree", "GET", "viewer"],
  ["repositories/[id]/file", "GET", "viewer"],
  ["repositories/[id]/discover", "GET", "viewer"],
  ["repositories/[id]/validate", "POST", "viewer"],
  ["clusters", "GET", "viewer"],
  ["clusters", "POST", "admin"],
  ["clusters/contexts", "POST", "admin"],
  ["clusters/[id]", "GET", "viewer"],
  ["clusters/[id]", "DELETE", "admin"],
  ["clusters/[id]/check", "POST", "developer"],
  ["clusters/[id]/live", "GET", "viewer"],
  ["applications", "GET", "viewer"],
  ["applications", "POST", "admin"],
  ["applications/discovered", "POST", "admin"],
  ["applications/[id]", "GET", "viewer"],
  ["applications/[id]", "PATCH", "admin"],
  ["applications/[id]", "DELETE", "admin"],
  ["applications/[id]/deletion", "GET", "viewer"],
  ["applications/[id]/environments", "POST", "admin"],
  ["applications/[id]/members", "GET", "viewer"],
  ["applications/[id]/members", "POST", "admin"],
  ["applications/[id]/members/[userId]", "DELETE", "admin"],
  ["environments", "GET", "viewer"],
  ["environments/[id]", "GET", "viewer"],
  ["environments/[id]", "PATCH", "admin"],
  ["environments/[id]", "DELETE", "admin"],
  ["environments/[id]/deletion", "GET", "viewer"],
  ["environments/[id]/reconcile", "POST", "developer"],
  ["environments/[id]/sync", "POST", "developer"],
  ["environments/[id]/diff", "GET", "viewer"],
  ["environments/[id]/changes", "GET", "viewer"],
  ["environments/[id]/syncs", "GET", "viewer"],
  ["environments/[id]/tree", "GET", "viewer"],
  ["environments/[id]/events", "GET", "viewer"],
  ["environments/[id]/stream", "GET", "viewer"],
  ["live", "GET", "viewer"],
  ["sync-runs/[id]", "GET", "viewer"],
  ["audit", "GET", "admin"],
  ["tokens", "GET", "authenticated"],
  ["tokens", "POST", "authenticated"],
  ["tokens/[id]", "DELETE", "authenticated"],
  ["users", "GET", "admin"],
  ["users", "POST", "admin"],
  ["users/[id]", "PATCH", "admin"],
  ["changes", "GET", "viewer"],
  ["changes", "POST", "developer"],
  ["changes/preview", "POST", "developer"],
  ["changes/[id]", "GET", "viewer"],
  ["changes/[id]/diff", "GET", "viewer"],
  ["changes/[id]/impact", "GET", "viewer"],
  ["changes/[id]/reviews", "POST", "developer"],
  ["changes/[id]/merge", "POST", "developer"],
  ["changes/[id]/close", "POST", "developer"],
  ["images/policies", "GET", "viewer"],
  ["images/policies", "POST", "admin"],
  ["images/policies/[id]", "GET", "viewer"],
  ["images/policies/[id]", "PATCH", "admin"],
  ["images/policies/[id]", "DELETE", "admin"],
  ["images/policies/[id]/check", "POST", "admin"],
  ["images/updates", "GET", "viewer"],
  ["images/ci-secret", "GET", "admin"],
  ["images/ci-secret", "POST", "admin"],
  ["webhooks/deliveries", "GET", "developer"],
  ["applications/[id]/pipeline", "GET", "viewer"],
  ["promotions", "GET", "viewer"],
  ["promotions", "POST", "developer"],
  ["promotions/preview", "POST", "developer"],
  ["promotions/[id]", "GET", "viewer"],
  ["promotions/[id]/decision", "POST", "approver"],
  ["promotions/[id]/override", "POST", "admin"],
  ["promotions/[id]/retry", "POST", "approver"],
  ["promotions/[id]/cancel", "POST", "developer"],
  ["environments/[id]/rollback-targets", "GET", "viewer"],
  ["environments/[id]/rollback", "POST", "developer"],
  ["environments/[id]/hold", "POST", "developer"],
  ["environments/[id]/hold", "DELETE", "developer"],
  ["repositories/[id]/webhook-secret", "POST", "admin"],
  ["repositories/[id]/webhook-secret", "DELETE", "admin"],
  ["metrics", "GET", "admin"],
  ["projects", "GET", "viewer"],
  ["projects", "POST", "admin"],
  ["projects/[id]", "GET", "viewer"],
  ["projects/[id]", "PATCH", "admin"],
  ["projects/[id]", "DELETE", "admin"],
  ["projects/[id]/members", "GET", "viewer"],
  ["projects/[id]/members", "POST", "admin"],
  ["projects/[id]/members/[userId]", "DELETE", "admin"],
  ["jobs", "GET", "admin"],
  ["jobs/stats", "GET", "admin"],
  ["jobs/[id]/retry", "POST", "admin"],
  ["jobs/[id]/cancel", "POST", "admin"],
  ["notifications", "GET", "viewer"],
  ["notifications/read", "POST", "viewer"],
  ["notifications/channels", "GET", "admin"],
  ["notifications/channels", "POST", "admin"],
  ["notifications/channels/[id]", "PATCH", "admin"],
  ["notifications/channels/[id]", "DELETE", "admin"],
  ["notifications/subscriptions", "GET", "viewer"],
  ["notifications/subscriptions", "POST", "viewer"],
  ["notifications/subscriptions/[id]", "DELETE", "viewer"],
  ["notifications/deliveries", "GET", "admin"],
  ["freeze-windows", "GET", "viewer"],
  ["freeze-windows", "POST", "admin"],
  ["freeze-windows/[id]", "PATCH", "admin"],
  ["freeze-windows/[id]", "DELETE", "admin"],
  ["environments/[id]/freeze", "GET", "viewer"],
];
const PUBLIC = [
  ["auth/login", "POST"],
  ["openapi.json", "GET"],
  ["health", "GET"],
  ["auth/oidc/login", "GET"],
  ["auth/oidc/callback", "GET"],
  ...SIGNED,
  ...IMAGE_WEBHOOKS,
];

function routeFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return routeFiles(full, prefix ? `${prefix}/${name}` : name);
    return name === "route.ts" ? [prefix] : [];
  });
}

async function call(route: string, method: Method, cookie?: string): Promise<number> {
  const url = `/api/${route.replaceAll("[id]", X).replaceAll("[sha]", SHA).replaceAll("[userId]", X)}`;
  const res = await callRoute({ file: route, method, url, params: { id: X, sha: SHA, userId: X }, cookie, body: method === "GET" ? undefined : {} });
  return res.status;
}

const tokens = {} as Record<RoleName, string>;
const userIds = {} as Record<RoleName, string>;
beforeAll(async () => {
  for (const role of ROLES) {
    const user = await makeUser(role);
    userIds[role] = user.id;
    tokens[role] = (await createSession(prisma(), user.id, 1)).token;
  }
});

describe("API authorization", () => {
  it("covers every route handler in app/api", async () => {
    const found: string[] = [];
    for (const route of routeFiles(path.resolve("app/api"))) {
      const mod = await routeModule(route);
      for (const method of ["GET", "POST", "PATCH", "DELETE", "PUT"]) if (mod[method]) found.push(`${method} ${route}`);
    }
    const listed = [...TABLE.map(([r, m]) => `${m} ${r}`), ...PUBLIC.map(([r, m]) => `${m} ${r}`)];
    expect(found.sort()).toEqual(listed.sort());
  });

  it.each(TABLE)("%s %s: 401 without a session, 403 below %s", async (route, method, minimum) => {
    expect(await call(route, method)).toBe(401);
    expect(await call(route, method, "forged-or-expired-token")).toBe(401);
    for (const role of ROLES) {
      // Signing out revokes the session it is called with, so it gets a session of its own.
      const token = route === "auth/logout" ? (await createSession(prisma(), userIds[role], 1)).token : tokens[role];
      const status = await call(route, method, token);
      const allowed = minimum === "authenticated" || ROLES.indexOf(role) >= ROLES.indexOf(minimum);
      if (allowed) expect([401, 403], `${role} should pass the check`).not.toContain(status);
      else expect(status, `${role} must be refused`).toBe(403);
    }
  });
});

describe("webhook receivers (signature-authenticated, no session)", () => {
  it("the image webhook refuses a session cookie alone with 401", async () => {
    const handler = (await routeModule("webhooks/images")).POST!;
    const req = new NextRequest(new URL("/api/webhooks/images", "http://tideline.test"), {
      method: "POST",
      headers: { "content-type": "application/json", cookie: `${SESSION_COOKIE}=${tokens.admin}` },
      body: JSON.stringify({ image: "ghcr.io/example/app:1.0.0" }),
    });
    const res = await handler(req, { params: Promise.resolve({}) });
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toContain("Authorization: Bearer");
  });

  it("refuse unsigned deliveries with 401, even with a valid session cookie", async () => {
    const url = `https://git.example.test/team/${uniqueName("cfg")}.git`;
    const repo = await prisma().repository.create({ data: { name: uniqueName("hooked"), url, encryptedWebhookSecret: seal("s".repeat(32)) } });
    const body = JSON.stringify({ ref: "refs/heads/main", after: "1".repeat(40), repository: { clone_url: url } });
    const headers = {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-github-delivery": uniqueName("d"),
      cookie: `${SESSION_COOKIE}=${tokens.admin}`,
    };
    for (const [route, params] of [
      ["webhooks/git/[repositoryId]", { repositoryId: repo.id }],
      ["webhooks/git", {}],
    ] as Array<[string, Record<string, string>]>) {
      const handler = (await routeModule(route)).POST!;
      const req = new NextRequest(new URL(`/api/${route.replace("[repositoryId]", repo.id)}`, "http://tideline.test"), { method: "POST", headers, body });
      const res = await handler(req, { params: Promise.resolve(params) });
      expect(res.status, route).toBe(401);
      expect((await res.json()).reason).toContain("X-Hub-Signature-256");
    }
  });
});

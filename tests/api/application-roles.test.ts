// Roles per application, role x action: a binding on application A lets its holder do A's
// actions of that role, and nothing more on application B (where only the global role counts).
import { beforeAll, describe, expect, it } from "vitest";
import { ROLES, type RoleName } from "../../lib/auth/roles";
import { createSession } from "../../lib/auth/sessions";
import { setMember } from "../../lib/auth/application-roles";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { callRoute } from "../helpers/routes";

type Target = { app: string; env: string };
let A: Target;
let B: Target;

async function makeApp(): Promise<Target> {
  const app = await prisma().application.create({ data: { name: uniqueName("roles").toLowerCase() } });
  const repo = await prisma().repository.create({ data: { name: uniqueName("roles-repo"), url: "https://git.example.com/x.git" } });
  const cluster = await prisma().cluster.create({ data: { name: uniqueName("roles-c").toLowerCase(), server: "https://127.0.0.1:1" } });
  const env = await prisma().environment.create({
    data: {
      applicationId: app.id,
      name: "dev",
      position: 0,
      repositoryId: repo.id,
      branch: "main",
      path: "",
      clusterId: cluster.id,
      namespace: uniqueName("ns").toLowerCase(),
    },
  });
  return { app: app.id, env: env.id };
}

// Each action, the route that performs it, and the minimum role.
const ACTIONS: Array<[action: string, route: (t: Target) => string, method: "GET" | "POST" | "PATCH", minimum: RoleName, body?: unknown]> = [
  ["application.read", (t) => `environments/${t.env}`, "GET", "viewer"],
  ["environment.sync", (t) => `environments/${t.env}/reconcile`, "POST", "developer"],
  ["environment.configure", (t) => `environments/${t.env}`, "PATCH", "admin", { autoSync: false }],
  ["application.manage", (t) => `applications/${t.app}/environments`, "POST", "admin", {}],
  ["application.members", (t) => `applications/${t.app}/members`, "POST", "admin", {}],
];

async function call(route: string, method: "GET" | "POST" | "PATCH", token: string, body?: unknown): Promise<number> {
  const file = route.replace(/^(environments|applications)\/[^/]+/, "$1/[id]");
  const res = await callRoute({ file, method, url: `/api/${route}`, params: { id: route.split("/")[1]! }, cookie: token, body });
  return res.status;
}

const holders = {} as Record<RoleName, string>;
beforeAll(async () => {
  A = await makeApp();
  B = await makeApp();
  for (const role of ROLES) {
    const user = await makeUser("viewer"); // globally only a viewer
    await setMember(prisma(), A.app, user.username, role);
    holders[role] = (await createSession(prisma(), user.id, 1)).token;
  }
});

describe("roles per application", () => {
  for (const held of ROLES) {
    for (const [action, route, method, minimum, body] of ACTIONS) {
      const allowed = ROLES.indexOf(held) >= ROLES.indexOf(minimum);
      it(`${held} on A: ${action} on A is ${allowed ? "allowed" : "refused"}, on B refused unless viewer may`, async () => {
        const onA = await call(route(A), method, holders[held], body);
        if (allowed) expect([401, 403]).not.toContain(onA);
        else expect(onA).toBe(403);
        const onB = await call(route(B), method, holders[held], body);
        if (minimum === "viewer") expect([401, 403]).not.toContain(onB);
        else expect(onB).toBe(403);
      });
    }
  }
});

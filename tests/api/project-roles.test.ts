// Roles per project, role x project x action: a binding on project A gives its role on every
// application of A (and A's members list to its admins), nothing on project B, where only the
// global role counts. Real routes, real database.
import { beforeAll, describe, expect, it } from "vitest";
import { ROLES, type RoleName } from "../../lib/auth/roles";
import { createSession } from "../../lib/auth/sessions";
import { setMember } from "../../lib/auth/application-roles";
import { createProject, setProjectMember } from "../../lib/projects/manage-projects";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { callRoute } from "../helpers/routes";

type Target = { project: string; app: string; env: string };
type Method = "GET" | "POST" | "PATCH" | "DELETE";
let A: Target;
let B: Target;

async function makeProject(): Promise<Target> {
  const project = await createProject(prisma(), {
    name: uniqueName("proj").toLowerCase(),
    sourceRepos: [{ repository: "*", path: "**" }],
    destinations: [{ cluster: "*", namespace: "*" }],
  });
  const app = await prisma().application.create({ data: { name: uniqueName("papp").toLowerCase(), projectId: project.id } });
  const repo = await prisma().repository.create({ data: { name: uniqueName("proj-repo"), url: "https://git.example.com/x.git" } });
  const cluster = await prisma().cluster.create({ data: { name: uniqueName("proj-c").toLowerCase(), server: "https://127.0.0.1:1" } });
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
  return { project: project.id, app: app.id, env: env.id };
}

// Each action, the route that performs it, and the minimum role on the project.
const ACTIONS: Array<
  [action: string, file: string, route: (t: Target) => string, params: (t: Target) => Record<string, string>, method: Method, minimum: RoleName, body?: unknown]
> = [
  ["application.read", "environments/[id]", (t) => `environments/${t.env}`, (t) => ({ id: t.env }), "GET", "viewer"],
  ["environment.sync", "environments/[id]/reconcile", (t) => `environments/${t.env}/reconcile`, (t) => ({ id: t.env }), "POST", "developer"],
  ["environment.sync (sync)", "environments/[id]/sync", (t) => `environments/${t.env}/sync`, (t) => ({ id: t.env }), "POST", "developer", { dryRun: true }],
  ["environment.rollback", "environments/[id]/rollback", (t) => `environments/${t.env}/rollback`, (t) => ({ id: t.env }), "POST", "developer", {}],
  ["environment.configure", "environments/[id]", (t) => `environments/${t.env}`, (t) => ({ id: t.env }), "PATCH", "admin", { adoptExisting: false }],
  [
    "application.manage (add environment)",
    "applications/[id]/environments",
    (t) => `applications/${t.app}/environments`,
    (t) => ({ id: t.app }),
    "POST",
    "admin",
    {},
  ],
  ["application.members", "applications/[id]/members", (t) => `applications/${t.app}/members`, (t) => ({ id: t.app }), "POST", "admin", {}],
  ["project members (grant)", "projects/[id]/members", (t) => `projects/${t.project}/members`, (t) => ({ id: t.project }), "POST", "admin", {}],
  [
    "project members (remove)",
    "projects/[id]/members/[userId]",
    (t) => `projects/${t.project}/members/nobody`,
    (t) => ({ id: t.project, userId: "nobody" }),
    "DELETE",
    "admin",
  ],
];

async function call(file: string, url: string, params: Record<string, string>, method: Method, cookie: string, body?: unknown) {
  return callRoute({ file, method, url: `/api/${url}`, params, cookie, body: method === "GET" ? undefined : (body ?? {}) });
}

const holders = {} as Record<RoleName, string>;
beforeAll(async () => {
  A = await makeProject();
  B = await makeProject();
  for (const role of ROLES) {
    const user = await makeUser("viewer"); // globally only a viewer
    await setProjectMember(prisma(), A.project, user.username, role);
    holders[role] = (await createSession(prisma(), user.id, 1)).token;
  }
});

describe("roles per project", () => {
  for (const held of ROLES) {
    for (const [action, file, route, params, method, minimum, body] of ACTIONS) {
      const allowed = ROLES.indexOf(held) >= ROLES.indexOf(minimum);
      it(`${held} in project A: ${action} on A is ${allowed ? "allowed" : "refused"}, on B refused unless viewers may`, async () => {
        const onA = (await call(file, route(A), params(A), method, holders[held], body)).status;
        if (allowed) expect([401, 403], `on A (${onA})`).not.toContain(onA);
        else expect(onA, "on A").toBe(403);
        const onB = (await call(file, route(B), params(B), method, holders[held], body)).status;
        if (minimum === "viewer") expect([401, 403]).not.toContain(onB);
        else expect(onB, "on B").toBe(403);
      });
    }
  }

  it("a project's admin may not change its rules, delete it or move an application out of it (global admins only)", async () => {
    const cookie = holders.admin;
    expect(
      (
        await callRoute({
          file: "projects/[id]",
          method: "PATCH",
          url: `/api/projects/${A.project}`,
          params: { id: A.project },
          cookie,
          body: { clusterResourceWhitelist: [{ group: "*", kind: "*" }] },
        })
      ).status,
    ).toBe(403);
    expect((await callRoute({ file: "projects/[id]", method: "DELETE", url: `/api/projects/${A.project}`, params: { id: A.project }, cookie })).status).toBe(
      403,
    );
    expect(
      (
        await callRoute({
          file: "applications/[id]",
          method: "PATCH",
          url: `/api/applications/${A.app}`,
          params: { id: A.app },
          cookie,
          body: { projectId: B.project },
        })
      ).status,
    ).toBe(403);
    expect((await prisma().application.findUniqueOrThrow({ where: { id: A.app } })).projectId).toBe(A.project);
  });

  it("a project admin grants roles on A that then work on A's applications only", async () => {
    const dev = await makeUser("viewer");
    const granted = await call("projects/[id]/members", `projects/${A.project}/members`, { id: A.project }, "POST", holders.admin, {
      username: dev.username,
      role: "developer",
    });
    expect(granted.status).toBe(201);
    const cookie = (await createSession(prisma(), dev.id, 1)).token;
    expect((await call("environments/[id]/reconcile", `environments/${A.env}/reconcile`, { id: A.env }, "POST", cookie)).status).not.toBe(403);
    expect((await call("environments/[id]/reconcile", `environments/${B.env}/reconcile`, { id: B.env }, "POST", cookie)).status).toBe(403);
    const audit = await prisma().auditEvent.findFirst({ where: { action: "project.member.set", targetId: A.project }, orderBy: { at: "desc" } });
    expect(audit?.details).toMatchObject({ username: dev.username, role: "developer" });
  });

  it("the highest of global, project and application roles applies; moving the application drops the project's grant", async () => {
    const user = await makeUser("viewer");
    await setProjectMember(prisma(), A.project, user.username, "viewer");
    await setMember(prisma(), A.app, user.username, "developer");
    const cookie = (await createSession(prisma(), user.id, 1)).token;
    expect((await call("environments/[id]/reconcile", `environments/${A.env}/reconcile`, { id: A.env }, "POST", cookie)).status).not.toBe(403);

    const projDev = await makeUser("viewer");
    await setProjectMember(prisma(), A.project, projDev.username, "developer");
    const projCookie = (await createSession(prisma(), projDev.id, 1)).token;
    const moved = await makeProject();
    const root = (await createSession(prisma(), (await makeUser("admin")).id, 1)).token;
    // The application of `moved` joins A: A's developer may now sync it; moved back, no longer.
    const toA = await callRoute({
      file: "applications/[id]",
      method: "PATCH",
      url: `/api/applications/${moved.app}`,
      params: { id: moved.app },
      cookie: root,
      body: { projectId: A.project },
    });
    expect(toA.status).toBe(200);
    expect((await toA.json()).application.project).toMatchObject({ id: A.project });
    expect((await call("environments/[id]/reconcile", `environments/${moved.env}/reconcile`, { id: moved.env }, "POST", projCookie)).status).not.toBe(403);
    await callRoute({
      file: "applications/[id]",
      method: "PATCH",
      url: `/api/applications/${moved.app}`,
      params: { id: moved.app },
      cookie: root,
      body: { projectId: moved.project },
    });
    expect((await call("environments/[id]/reconcile", `environments/${moved.env}/reconcile`, { id: moved.env }, "POST", projCookie)).status).toBe(403);
    expect(await prisma().auditEvent.count({ where: { action: "application.move", targetId: moved.app } })).toBe(2);
  });
});

describe("projects API", () => {
  let admin: string;
  beforeAll(async () => {
    admin = (await createSession(prisma(), (await makeUser("admin")).id, 1)).token;
  });
  const create = (body: unknown) => callRoute({ file: "projects", method: "POST", cookie: admin, body });

  it("answers 422 naming the field of a bad rule", async () => {
    const res = await create({
      name: uniqueName("bad").toLowerCase(),
      destinations: [
        { cluster: "*", namespace: "team-*" },
        { cluster: "*", namespace: "Bad Namespace!" },
      ],
    });
    expect(res.status).toBe(422);
    expect((await res.json()).error.message).toContain("destinations.1.namespace");
  });

  it("creates, updates and deletes a project (audited); refuses to delete one with applications, naming them, and the default project", async () => {
    const name = uniqueName("crud").toLowerCase();
    const created = await create({ name, sourceRepos: [{ repository: "*", path: "apps/**" }], destinations: [{ cluster: "*", namespace: `${name}-*` }] });
    expect(created.status).toBe(201);
    const { project } = await created.json();
    const patched = await callRoute({
      file: "projects/[id]",
      method: "PATCH",
      url: `/api/projects/${project.id}`,
      params: { id: project.id },
      cookie: admin,
      body: { clusterResourceWhitelist: [{ group: "", kind: "Namespace" }] },
    });
    expect((await patched.json()).project.clusterResourceWhitelist).toEqual([{ group: "", kind: "Namespace" }]);
    const app = await callRoute({
      file: "applications",
      method: "POST",
      cookie: admin,
      body: { name: uniqueName("inproj").toLowerCase(), projectId: project.id },
    });
    expect(app.status).toBe(201);
    const appName = (await app.json()).application.name;
    const refused = await callRoute({ file: "projects/[id]", method: "DELETE", url: `/api/projects/${project.id}`, params: { id: project.id }, cookie: admin });
    expect(refused.status).toBe(409);
    expect((await refused.json()).error.message).toContain(appName);
    const def = await callRoute({ file: "projects/[id]", method: "DELETE", url: "/api/projects/default", params: { id: "default" }, cookie: admin });
    expect(def.status).toBe(409);
    await prisma().application.deleteMany({ where: { name: appName } });
    expect(
      (await callRoute({ file: "projects/[id]", method: "DELETE", url: `/api/projects/${project.id}`, params: { id: project.id }, cookie: admin })).status,
    ).toBe(200);
    const actions = (await prisma().auditEvent.findMany({ where: { targetId: project.id }, select: { action: true } })).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["project.create", "project.update", "project.delete"]));
  });

  it("applications join the default project unless told otherwise, and show their project", async () => {
    const res = await callRoute({ file: "applications", method: "POST", cookie: admin, body: { name: uniqueName("plain").toLowerCase() } });
    const { application } = await res.json();
    expect(application.projectId).toBe("default");
    const got = await callRoute({
      file: "applications/[id]",
      method: "GET",
      url: `/api/applications/${application.id}`,
      params: { id: application.id },
      cookie: admin,
    });
    expect((await got.json()).application.project).toEqual({ id: "default", name: "default" });
    const missing = await callRoute({
      file: "applications",
      method: "POST",
      cookie: admin,
      body: { name: uniqueName("nowhere").toLowerCase(), projectId: "no-such-project" },
    });
    expect(missing.status).toBe(422);
  });
});

// A mutating action through the API lands in the audit log (who, what, details) and comes
// out of the CSV and JSON exports; passwords never do.
import path from "node:path";
import { expect, it } from "vitest";
import { NextRequest } from "next/server";
import { createSession, SESSION_COOKIE } from "../../lib/auth/sessions";
import { makeUser, prisma, uniqueName } from "../helpers/db";

const route = async (file: string) => import(/* @vite-ignore */ path.resolve("app/api", file, "route.ts"));
const request = (url: string, token: string, method = "GET", body?: unknown) =>
  new NextRequest(new URL(url, "http://tideline.test"), { method, headers: { cookie: `${SESSION_COOKIE}=${token}`, "content-type": "application/json" }, body: body ? JSON.stringify(body) : undefined });

it("records who created a user, and exports it without the password", async () => {
  const admin = await makeUser("admin");
  const { token } = await createSession(prisma(), admin.id, 1);
  const username = uniqueName("newbie");
  const password = "a-very-secret-password";
  const created = await (await route("users")).POST(request("/api/users", token, "POST", { username, password, role: "developer" }), { params: Promise.resolve({}) });
  expect(created.status).toBe(201);

  const events = await prisma().auditEvent.findMany({ where: { action: "user.create", actorName: admin.username } });
  expect(events).toHaveLength(1);
  expect(events[0]!.details).toMatchObject({ username, role: "developer" });

  const audit = await route("audit");
  const csv = await (await audit.GET(request(`/api/audit?actor=${admin.username}&format=csv`, token), { params: Promise.resolve({}) })).text();
  expect(csv.split("\n")[0]).toBe("at,actor,action,targetType,targetId,details");
  expect(csv).toContain(`${admin.username},user.create,user`);
  const json = JSON.parse(await (await audit.GET(request(`/api/audit?actor=${admin.username}&format=json`, token), { params: Promise.resolve({}) })).text());
  expect(json[0]).toMatchObject({ action: "user.create", actorName: admin.username });
  expect(csv + JSON.stringify(json)).not.toContain(password);
});

it("records sign-ins and failed attempts by username, never the password", async () => {
  const user = await makeUser("viewer", "my-password-123");
  const login = (await route("auth/login")).POST;
  const attempt = (password: string) =>
    login(new NextRequest(new URL("http://tideline.test/api/auth/login"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: user.username, password }) }), { params: Promise.resolve({}) });
  expect((await attempt("wrong-password-xyz")).status).toBe(401);
  expect((await attempt("my-password-123")).status).toBe(200);
  const events = await prisma().auditEvent.findMany({ where: { OR: [{ targetId: user.id }, { details: { path: ["username"], equals: user.username } }] }, orderBy: { at: "asc" } });
  expect(events.map((e) => e.action)).toEqual(["auth.login_failed", "auth.login"]);
  expect(JSON.stringify(events)).not.toContain("wrong-password-xyz");
  expect(JSON.stringify(events)).not.toContain("my-password-123");
});

// A mutating action through the API lands in the audit log (who, what, details) and comes
// out of the CSV and JSON exports; passwords never do.
import { expect, it } from "vitest";
import { createSession } from "../../lib/auth/sessions";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { callRoute } from "../helpers/routes";

it("records who created a user, and exports it without the password", async () => {
  const admin = await makeUser("admin");
  const { token } = await createSession(prisma(), admin.id, 1);
  const username = uniqueName("newbie");
  const password = "a-very-secret-password";
  const created = await callRoute({ file: "users", method: "POST", cookie: token, body: { username, password, role: "developer" } });
  expect(created.status).toBe(201);

  const events = await prisma().auditEvent.findMany({ where: { action: "user.create", actorName: admin.username } });
  expect(events).toHaveLength(1);
  expect(events[0]!.details).toMatchObject({ username, role: "developer" });

  const exportAs = (format: string) => callRoute({ file: "audit", method: "GET", url: `/api/audit?actor=${admin.username}&format=${format}`, cookie: token });
  const csv = await (await exportAs("csv")).text();
  expect(csv.split("\n")[0]).toBe("at,actor,action,targetType,targetId,details");
  expect(csv).toContain(`${admin.username},user.create,user`);
  const json = JSON.parse(await (await exportAs("json")).text());
  expect(json[0]).toMatchObject({ action: "user.create", actorName: admin.username });
  expect(csv + JSON.stringify(json)).not.toContain(password);
});

it("records sign-ins and failed attempts by username, never the password", async () => {
  const user = await makeUser("viewer", "my-password-123");
  const attempt = (password: string) => callRoute({ file: "auth/login", method: "POST", body: { username: user.username, password } });
  expect((await attempt("wrong-password-xyz")).status).toBe(401);
  expect((await attempt("my-password-123")).status).toBe(200);
  const events = await prisma().auditEvent.findMany({
    where: { OR: [{ targetId: user.id }, { details: { path: ["username"], equals: user.username } }] },
    orderBy: { at: "asc" },
  });
  expect(events.map((e) => e.action)).toEqual(["auth.login_failed", "auth.login"]);
  expect(JSON.stringify(events)).not.toContain("wrong-password-xyz");
  expect(JSON.stringify(events)).not.toContain("my-password-123");
});

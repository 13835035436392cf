// Sessions: an hour-old session gets a new token on its next API call; the old token
// stops working after a short grace; expired and tampered cookies are refused.
import { expect, it } from "vitest";
import { createSession, SESSION_COOKIE } from "../../lib/auth/sessions";
import { makeUser, prisma } from "../helpers/db";
import { callRoute } from "../helpers/routes";
import { createHash } from "node:crypto";

const me = (token: string) => callRoute({ file: "auth/me", method: "GET", cookie: token });
const digest = (t: string) => createHash("sha256").update(t).digest("hex");

it("rotates an old session token and retires the old one after a grace period", async () => {
  const user = await makeUser("viewer");
  const { token } = await createSession(prisma(), user.id, 12);
  expect((await me(token)).headers.get("set-cookie")).toBeNull(); // fresh sessions are left alone

  await prisma().session.update({ where: { id: digest(token) }, data: { createdAt: new Date(Date.now() - 2 * 3600_000) } });
  const res = await me(token);
  expect(res.status).toBe(200);
  const cookie = res.headers.get("set-cookie")!;
  expect(cookie).toMatch(/HttpOnly/);
  const fresh = cookie.match(new RegExp(`${SESSION_COOKIE}=([^;]+)`))![1]!;
  expect(fresh).not.toBe(token);
  expect((await me(fresh)).status).toBe(200);
  const old = await prisma().session.findUniqueOrThrow({ where: { id: digest(token) } });
  expect(old.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 61_000);
});

it("refuses expired and tampered session cookies", async () => {
  const user = await makeUser("viewer");
  const { token } = await createSession(prisma(), user.id, 1);
  expect((await me(token.slice(0, -2) + "xx")).status).toBe(401);
  await prisma().session.update({ where: { id: digest(token) }, data: { expiresAt: new Date(Date.now() - 1000) } });
  expect((await me(token)).status).toBe(401);
});

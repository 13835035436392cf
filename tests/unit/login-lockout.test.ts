// Brute force against a local account: locked after five failures, even with the right
// password, a success resets the count, and the lock expires on its own.
import { expect, it } from "vitest";
import { login, MAX_FAILED_LOGINS, SIGN_IN_REFUSED } from "../../lib/auth/login";
import { makeUser, prisma } from "../helpers/db";

const attempt = (username: string, password: string) => login(prisma(), { username, password, ttlHours: 1 });

it("locks an account after repeated failures and unlocks after the lockout", async () => {
  const user = await makeUser("viewer", "the-right-password");
  await attempt(user.username, "the-right-password");
  for (let i = 0; i < MAX_FAILED_LOGINS; i++)
    await expect(attempt(user.username, `wrong-${i}`)).rejects.toMatchObject({ code: "unauthenticated", reason: "wrong_password" });
  await expect(attempt(user.username, "the-right-password")).rejects.toMatchObject({ code: "unauthenticated", message: SIGN_IN_REFUSED, reason: "locked" });

  await prisma().user.update({ where: { id: user.id }, data: { lockedUntil: new Date(Date.now() - 1000) } });
  await expect(attempt(user.username, "the-right-password")).resolves.toMatchObject({ user: { id: user.id } });
  const after = await prisma().user.findUniqueOrThrow({ where: { id: user.id } });
  expect(after.lockedUntil).toBeNull();
  expect(after.failedLogins).toBe(0);
});

it("a success resets the count, so only consecutive failures lock", async () => {
  const user = await makeUser("viewer", "the-right-password");
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < MAX_FAILED_LOGINS - 1; i++) await expect(attempt(user.username, "wrong")).rejects.toMatchObject({ reason: "wrong_password" });
    await expect(attempt(user.username, "the-right-password")).resolves.toMatchObject({ user: { id: user.id } });
  }
});

it("does not say whether an unknown username exists", async () => {
  await expect(attempt("nobody-here", "whatever")).rejects.toMatchObject({ code: "unauthenticated", message: SIGN_IN_REFUSED, reason: "unknown_user" });
});

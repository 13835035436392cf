// Brute force against a local account: locked after five failures, even with the right
// password, and a success resets the count.
import { expect, it } from "vitest";
import { login, MAX_FAILED_LOGINS } from "../../lib/auth/login";
import { makeUser, prisma } from "../helpers/db";

it("locks an account after repeated failures and unlocks after the lockout", async () => {
  const user = await makeUser("viewer", "the-right-password");
  await login(prisma(), user.username, "the-right-password", 1);
  for (let i = 0; i < MAX_FAILED_LOGINS; i++) await expect(login(prisma(), user.username, `wrong-${i}`, 1)).rejects.toMatchObject({ code: "unauthenticated" });
  await expect(login(prisma(), user.username, "the-right-password", 1)).rejects.toMatchObject({ code: "rate_limited", message: expect.stringContaining("try again in 15 minutes") });

  await prisma().user.update({ where: { id: user.id }, data: { lockedUntil: new Date(Date.now() - 1000) } });
  await expect(login(prisma(), user.username, "the-right-password", 1)).resolves.toMatchObject({ user: { id: user.id } });
  expect((await prisma().user.findUniqueOrThrow({ where: { id: user.id } })).lockedUntil).toBeNull();
});

it("does not say whether an unknown username exists", async () => {
  await expect(login(prisma(), "nobody-here", "whatever", 1)).rejects.toMatchObject({ code: "unauthenticated", message: "Wrong username or password" });
});

// API tokens end to end through the route handlers: stored hashed, limited to their scopes
// and their owner's role, refused when expired, revoked or forged.
import { beforeAll, expect, it } from "vitest";
import { createApiToken, revokeApiToken } from "../../lib/auth/api-tokens";
import { makeUser, prisma } from "../helpers/db";
import { callRoute } from "../helpers/routes";

const call = (file: string, method: "GET" | "POST", token: string, body?: unknown) => callRoute({ file, method, bearer: token, body });

let developer: Awaited<ReturnType<typeof makeUser>>;
beforeAll(async () => {
  developer = await makeUser("developer");
});

it("works within its scopes and is refused beyond them", async () => {
  const { token } = await createApiToken(prisma(), developer, { name: "ci", scopes: ["repository.read"], expiresInDays: 1 });
  expect((await call("repositories", "GET", token)).status).toBe(200);
  const refused = await call("clusters", "GET", token);
  expect(refused.status).toBe(403);
  expect((await refused.json()).error.message).toContain("scopes do not include cluster.read");
  const row = await prisma().apiToken.findFirstOrThrow({ where: { userId: developer.id, name: "ci" } });
  expect(row.tokenHash).not.toContain(token.slice(3));
  expect(row.lastUsedAt).not.toBeNull();
});

it("cannot be created beyond its owner's role, and cannot mint tokens", async () => {
  await expect(createApiToken(prisma(), developer, { name: "x", scopes: ["repository.create"], expiresInDays: 1 })).rejects.toMatchObject({
    message: expect.stringContaining("does not allow: repository.create"),
  });
  const { token } = await createApiToken(prisma(), developer, { name: "y", scopes: ["repository.read"], expiresInDays: 1 });
  expect((await call("tokens", "POST", token, { name: "z", scopes: ["repository.read"] })).status).toBe(403);
});

it("is refused when expired, revoked or forged", async () => {
  const { token, apiToken } = await createApiToken(prisma(), developer, { name: "short", scopes: ["repository.read"], expiresInDays: 1 });
  await prisma().apiToken.update({ where: { id: apiToken.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
  expect((await call("repositories", "GET", token)).status).toBe(401);
  const second = await createApiToken(prisma(), developer, { name: "revoked", scopes: ["repository.read"], expiresInDays: 1 });
  await revokeApiToken(prisma(), developer.id, second.apiToken.id);
  expect((await call("repositories", "GET", second.token)).status).toBe(401);
  expect((await call("repositories", "GET", "tl_forged")).status).toBe(401);
});

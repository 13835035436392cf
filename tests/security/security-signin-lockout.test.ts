// Issue 14, finding 8: sign-in brute force. Before, the lockout was a read-modify-write race (of 40
// parallel wrong passwords, 24 were checked before the lock), a locked account answered 429 where an
// unknown one answered 401, and anyone could keep an account locked (now only for their own address). Attacks here go through the real
// login function and route, counting argon2 checks against the account's real hash.
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { login, SIGN_IN_REFUSED } from "../../lib/auth/login";
import { verifyPassword } from "../../lib/auth/password";
import { stampPeer } from "../../lib/rate-limit/client-address";
import { DEFAULT_LOGIN_POLICY } from "../../lib/rate-limit/config";
import { makeUser, prisma, uniqueName } from "../helpers/db";

/** The real argon2 check, counting how often it ran against each hash (null = the dummy). */
function countingVerify() {
  const checks = new Map<string | null, number>();
  const verify = async (hash: string | null, password: string) => {
    checks.set(hash, (checks.get(hash) ?? 0) + 1);
    return verifyPassword(hash, password);
  };
  return { verify, checksOf: (hash: string | null) => checks.get(hash) ?? 0, total: () => [...checks.values()].reduce((a, b) => a + b, 0) };
}

const hashOf = async (userId: string) => (await prisma().user.findUniqueOrThrow({ where: { id: userId } })).passwordHash;
let nextAddress = 1;
/** A fresh client address (documentation range 203.0.113.0/24 and beyond) so tests do not share budgets. */
const freshAddress = () => `198.51.${Math.floor(nextAddress / 250)}.${(nextAddress++ % 250) + 1}`;

async function routeLogin(username: string, password: string, address: string) {
  const { POST } = await import("../../app/api/auth/login/route");
  const headers = new Headers({ "content-type": "application/json" });
  stampPeer(headers, address);
  const req = new NextRequest("http://tideline.test/api/auth/login", { method: "POST", headers, body: JSON.stringify({ username, password }) });
  const res = await POST(req, { params: Promise.resolve({}) });
  return { status: res.status, body: await res.text(), retryAfter: res.headers.get("retry-after"), contentType: res.headers.get("content-type") };
}

describe("per-account lock", () => {
  it("40 parallel wrong passwords: at most 5 are checked before the lock, the rest are refused unchecked", async () => {
    const user = await makeUser("admin", "the-right-password");
    const hash = await hashOf(user.id);
    const counter = countingVerify();
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => login(prisma(), { username: user.username, password: `guess-${i}`, ttlHours: 1 }, { verify: counter.verify })),
    );
    expect(results.every((r) => r.status === "rejected" && (r.reason as Error).message === SIGN_IN_REFUSED)).toBe(true);
    expect(counter.checksOf(hash)).toBe(DEFAULT_LOGIN_POLICY.maxFailures);
    // Every refusal still ran exactly one argon2 verification (the dummy for the locked ones): same cost.
    expect(counter.checksOf(null)).toBe(40 - DEFAULT_LOGIN_POLICY.maxFailures);
    const stored = await prisma().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.failedLogins).toBe(DEFAULT_LOGIN_POLICY.maxFailures);
    const lockMinutes = (stored.lockedUntil!.getTime() - Date.now()) / 60_000;
    expect(lockMinutes).toBeGreaterThan(14);
    expect(lockMinutes).toBeLessThanOrEqual(15);
    // Even the right password is not checked while the account is locked.
    await expect(login(prisma(), { username: user.username, password: "the-right-password", ttlHours: 1 }, { verify: counter.verify })).rejects.toMatchObject({
      reason: "locked",
    });
    expect(counter.checksOf(hash)).toBe(DEFAULT_LOGIN_POLICY.maxFailures);
  });

  it("the lock expires: afterwards the right password works and a guesser gets only 5 more checks", async () => {
    const user = await makeUser("developer", "the-right-password");
    const hash = await hashOf(user.id);
    const counter = countingVerify();
    const guess = (password: string) => login(prisma(), { username: user.username, password, ttlHours: 1 }, { verify: counter.verify });
    for (let i = 0; i < 8; i++) await guess(`guess-${i}`).catch(() => undefined);
    expect(counter.checksOf(hash)).toBe(5);
    await prisma().user.update({ where: { id: user.id }, data: { lockedUntil: new Date(Date.now() - 1000) } }); // 15 minutes later
    for (let i = 0; i < 8; i++) await guess(`guess-again-${i}`).catch(() => undefined);
    expect(counter.checksOf(hash)).toBe(10);
    await prisma().user.update({ where: { id: user.id }, data: { lockedUntil: new Date(Date.now() - 1000) } });
    await expect(guess("the-right-password")).resolves.toMatchObject({ user: { id: user.id } });
  });
});

describe("per account and address", () => {
  it("an attacker's failures lock the account for the attacker's address only: the owner signs in from theirs", async () => {
    const attacker = freshAddress();
    const owner = freshAddress();
    const user = await makeUser("admin", "the-right-password");
    const hash = await hashOf(user.id);
    const counter = countingVerify();
    const from = (clientAddress: string, password: string) =>
      login(prisma(), { username: user.username, password, ttlHours: 1, clientAddress }, { verify: counter.verify });
    for (let i = 0; i < 8; i++) await expect(from(attacker, `guess-${i}`)).rejects.toMatchObject({ message: SIGN_IN_REFUSED });
    expect(counter.checksOf(hash)).toBe(DEFAULT_LOGIN_POLICY.maxFailures);
    // Even the right password is refused unchecked from the attacker's address ...
    await expect(from(attacker, "the-right-password")).rejects.toMatchObject({ reason: "locked" });
    expect(counter.checksOf(hash)).toBe(DEFAULT_LOGIN_POLICY.maxFailures);
    // ... while the owner, elsewhere, is not locked out, and the success clears the account's count.
    await expect(from(owner, "the-right-password")).resolves.toMatchObject({ user: { id: user.id } });
    expect((await prisma().user.findUniqueOrThrow({ where: { id: user.id } })).failedLogins).toBe(0);
  });

  it("guessing spread over many addresses locks the account for everyone after accountMaxFailures", async () => {
    const policy = { ...DEFAULT_LOGIN_POLICY, accountMaxFailures: 12 };
    const user = await makeUser("admin", "the-right-password");
    const hash = await hashOf(user.id);
    const counter = countingVerify();
    const from = (clientAddress: string, password: string) =>
      login(prisma(), { username: user.username, password, ttlHours: 1, clientAddress }, { verify: counter.verify, policy });
    for (let a = 0; a < 4; a++) {
      const address = freshAddress();
      for (let i = 0; i < 5; i++) await from(address, `guess-${a}-${i}`).catch(() => undefined);
    }
    expect(counter.checksOf(hash)).toBe(12);
    const stored = await prisma().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.lockedUntil!.getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    await expect(from(freshAddress(), "the-right-password")).rejects.toMatchObject({ reason: "locked" });
    expect(counter.checksOf(hash)).toBe(12);
  });
});

describe("answers that reveal nothing", () => {
  it("a locked, an unknown, a disabled account and a wrong password get byte-identical answers", async () => {
    const locked = await makeUser("viewer", "the-right-password");
    await prisma().user.update({ where: { id: locked.id }, data: { lockedUntil: new Date(Date.now() + 10 * 60_000) } });
    const disabled = await makeUser("viewer", "the-right-password");
    await prisma().user.update({ where: { id: disabled.id }, data: { disabled: true } });
    const plain = await makeUser("viewer", "the-right-password");

    const answers = [
      await routeLogin(locked.username, "the-right-password", freshAddress()),
      await routeLogin(uniqueName("nobody"), "the-right-password", freshAddress()),
      await routeLogin(disabled.username, "the-right-password", freshAddress()),
      await routeLogin(plain.username, "a-wrong-password", freshAddress()),
    ];
    expect(answers[0]).toEqual({
      status: 401,
      body: JSON.stringify({ error: { code: "unauthenticated", message: SIGN_IN_REFUSED } }),
      retryAfter: null,
      contentType: "application/json",
    });
    for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0]);
    // The audit log, for admins only, keeps the real reasons.
    const names = [locked.username, disabled.username, plain.username];
    const failed = (await prisma().auditEvent.findMany({ where: { action: "auth.login_failed" }, orderBy: { at: "desc" }, take: 200 }))
      .map((e) => e.details as { username: string; reason: string })
      .filter((d) => names.includes(d.username));
    expect(failed.map((d) => d.reason).sort()).toEqual(["disabled", "locked", "wrong_password"]);
  });

  it("an SSO-only account (no password) costs the same argon2 check as any other", async () => {
    const user = await makeUser("viewer");
    await prisma().user.update({ where: { id: user.id }, data: { passwordHash: "!sso-only" } });
    const counter = countingVerify();
    const started = performance.now();
    await expect(login(prisma(), { username: user.username, password: "x", ttlHours: 1 }, { verify: counter.verify })).rejects.toMatchObject({
      reason: "wrong_password",
    });
    // The marker is not an argon2 hash: verifyPassword runs the dummy hash instead of failing fast.
    expect(performance.now() - started).toBeGreaterThan(5);
  });
});

describe("per-address limit", () => {
  it("one address gets 20 failures per window over any accounts, then 429 with Retry-After; others are unaffected", async () => {
    const attacker = freshAddress();
    const victim = await makeUser("approver", "the-right-password");
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await routeLogin(uniqueName("spray"), `guess-${i}`, attacker)).status);
    expect(statuses.every((s) => s === 401)).toBe(true);

    const refused = await routeLogin(victim.username, "the-right-password", attacker);
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(15 * 60);
    expect(JSON.parse(refused.body).error.message).toMatch(/^Too many failed sign-ins from your address; try again in \d+ minutes?$/);
    // Nothing of the account was touched by the refused attempt, and another client signs in.
    expect((await prisma().user.findUniqueOrThrow({ where: { id: victim.id } })).failedLogins).toBe(0);
    expect((await routeLogin(victim.username, "the-right-password", freshAddress())).status).toBe(200);
    // The counter is in Postgres, shared by every replica.
    const row = await prisma().rateLimitCounter.findUniqueOrThrow({ where: { key: `login:address:${attacker}` } });
    expect(row.count).toBe(21);
  });

  it("parallel failures from one address cannot overshoot the budget", async () => {
    const attacker = freshAddress();
    const counter = countingVerify();
    const results = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) =>
        login(prisma(), { username: uniqueName("spray"), password: "guess", ttlHours: 1, clientAddress: attacker }, { verify: counter.verify }),
      ),
    );
    expect(results.filter((r) => r.status === "rejected" && (r.reason as { code: string }).code === "rate_limited")).toHaveLength(40);
    expect(counter.total()).toBe(20);
  });

  it("successful sign-ins do not use up an office's budget (one address, many people)", async () => {
    const office = freshAddress();
    const user = await makeUser("viewer", "the-right-password");
    for (let i = 0; i < 30; i++) expect((await routeLogin(user.username, "the-right-password", office)).status).toBe(200);
    expect((await routeLogin(user.username, "a-wrong-password", office)).status).toBe(401);
  });

  it("an attacker who exhausted its address cannot keep re-locking the account from it", async () => {
    const attacker = freshAddress();
    const victim = await makeUser("admin", "the-right-password");
    for (let i = 0; i < 20; i++) await routeLogin(victim.username, `guess-${i}`, attacker);
    await prisma().user.update({ where: { id: victim.id }, data: { lockedUntil: new Date(Date.now() - 1000) } }); // the lock expired
    for (let i = 0; i < 10; i++) expect((await routeLogin(victim.username, `more-${i}`, attacker)).status).toBe(429);
    expect((await routeLogin(victim.username, "the-right-password", freshAddress())).status).toBe(200);
  });

  it("IPv6 clients are counted by their /64, so rotating addresses inside it does not help", async () => {
    const prefix = `2001:db8:${(nextAddress++).toString(16)}:1`;
    const statuses: number[] = [];
    for (let i = 1; i <= 21; i++) statuses.push((await routeLogin(uniqueName("spray"), "guess", `${prefix}::${i.toString(16)}`)).status);
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses[20]).toBe(429);
  });
});

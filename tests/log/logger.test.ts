// The logger's own rules: credentials masked inside text, X-Request-Id kept only when sane and
// echoed back, ids on every line of a request, and no field carried from one line to the next.
import { afterEach, beforeEach, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { logger, setLogDestination, setLogLevel } from "../../lib/log/logger";
import { maskText, MASK } from "../../lib/log/mask";
import { loggedRoute } from "../../lib/api/handler";
import { AppError } from "../../lib/errors";

const lines: Array<Record<string, unknown>> = [];
beforeEach(() => {
  lines.length = 0;
  setLogDestination({ write: (line: string) => void lines.push(JSON.parse(line)) });
  setLogLevel("debug");
});
afterEach(() => {
  setLogDestination(null);
  setLogLevel("warn");
});

it("masks credentials inside text", () => {
  const cases: Array<[string, string]> = [
    ["fetch https://ci-bot:ghp_abcdef123456@github.com/acme/cfg.git failed", "ghp_abcdef123456"],
    ["Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig", "eyJhbGciOiJSUzI1NiJ9.payload.sig"],
    ["POST /token client_secret=s3cr3t-value&code=abc", "s3cr3t-value"],
    ['{"password":"hunter2hunter2"}', "hunter2hunter2"],
    ["registry said token=abcd1234efgh5678", "abcd1234efgh5678"],
  ];
  for (const [text, secret] of cases) {
    const masked = maskText(text);
    expect(masked, text).not.toContain(secret);
    expect(masked).toContain(MASK);
  }
  // Ordinary sentences stay readable.
  expect(maskText("The API token is invalid, expired or revoked")).toBe("The API token is invalid, expired or revoked");
});

const call = (route: ReturnType<typeof loggedRoute>, headers: Record<string, string> = {}) =>
  route(new NextRequest(new URL("/api/things/c12345678901234567890abc", "http://tideline.test"), { method: "POST", headers }), {
    params: Promise.resolve({ id: "c12345678901234567890abc" }),
  });

it("keeps a sane X-Request-Id, replaces any other, and puts it on every line of the request", async () => {
  const log = logger("test");
  const route = loggedRoute(async () => {
    log.info({ step: 1 }, "inside");
    log.info("inside again");
    return Response.json({ ok: true });
  });
  const kept = await call(route, { "x-request-id": "lb-7f3a.91:2" });
  expect(kept.headers.get("x-request-id")).toBe("lb-7f3a.91:2");
  const replaced = await call(route, { "x-request-id": "evil id\twith spaces" });
  expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);

  const first = lines.filter((l) => l.requestId === "lb-7f3a.91:2");
  expect(first.map((l) => l.msg)).toEqual(["inside", "inside again", "request"]);
  // A field of one line is not carried into the next (the context is copied, not written to).
  expect(first[1]).not.toHaveProperty("step");
  expect(first[2]).toMatchObject({ method: "POST", route: "/api/things/[id]", status: 200 });
  expect(lines.some((l) => JSON.stringify(l).includes("evil id"))).toBe(false);
});

it("logs refusals with their code and unexpected errors with a masked stack, referenced by the request id", async () => {
  const refused = loggedRoute(async () => {
    throw new AppError("not_found", "Environment x does not exist");
  });
  expect((await call(refused)).status).toBe(404);
  expect(lines.at(-1)).toMatchObject({ msg: "request", status: 404, error: { code: "not_found" } });

  const broken = loggedRoute(async () => {
    throw new Error("connect to https://admin:pa55word-xyz@db.internal failed");
  });
  const res = await call(broken, { "x-request-id": "req-500" });
  expect(res.status).toBe(500);
  expect(((await res.json()) as { error: { message: string } }).error.message).toContain("reference req-500");
  const unexpected = lines.find((l) => l.msg === "unexpected error");
  expect(unexpected).toMatchObject({ level: 50, requestId: "req-500", ref: "req-500" });
  expect(JSON.stringify(lines)).not.toContain("pa55word-xyz");
  expect(JSON.stringify(unexpected)).toContain("db.internal");
});

// Which address a sign-in or webhook is counted under, over a real TCP socket: a client cannot pick
// its own address with X-Forwarded-For or by forging Tideline's peer header; X-Forwarded-For is read
// only from proxies the operator trusts (TIDELINE_TRUSTED_PROXIES), right to left.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { addressKey, clientAddress, parseTrustedProxies, PEER_HEADER } from "../../lib/rate-limit/client-address";

let server: Server;
let base = "";
let trusted = "";

const toHeaders = (h: IncomingHttpHeaders) =>
  new Headers(Object.entries(h).flatMap(([k, v]) => (v === undefined ? [] : [[k, Array.isArray(v) ? v.join(", ") : v] as [string, string]])));

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader("content-type", "text/plain");
    res.end(clientAddress(toHeaders(req.headers), parseTrustedProxies(trusted)));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const seenAs = async (headers: Record<string, string> = {}, trust = "") => {
  trusted = trust;
  return (await fetch(base, { headers })).text();
};

it("without trusted proxies the socket's address counts, whatever the client claims", async () => {
  expect(await seenAs()).toBe("127.0.0.1");
  expect(await seenAs({ "x-forwarded-for": "203.0.113.9" })).toBe("127.0.0.1");
  expect(await seenAs({ [PEER_HEADER]: "0123456789abcdef 203.0.113.9", "x-real-ip": "203.0.113.9" })).toBe("127.0.0.1");
});

it("behind a trusted proxy: the right-most address the proxies did not add", async () => {
  expect(await seenAs({ "x-forwarded-for": "203.0.113.9" }, "127.0.0.1")).toBe("203.0.113.9");
  // The client wrote the left part itself; the proxy appended what it saw.
  expect(await seenAs({ "x-forwarded-for": "6.6.6.6, 203.0.113.9" }, "127.0.0.0/8")).toBe("203.0.113.9");
  expect(await seenAs({ "x-forwarded-for": "6.6.6.6, 203.0.113.9, 10.1.2.3" }, "127.0.0.1, 10.0.0.0/8")).toBe("203.0.113.9");
  // No header from the proxy: the proxy itself.
  expect(await seenAs({}, "127.0.0.1")).toBe("127.0.0.1");
});

it("a peer that is not a trusted proxy cannot use X-Forwarded-For", async () => {
  expect(await seenAs({ "x-forwarded-for": "203.0.113.9" }, "10.0.0.0/8")).toBe("127.0.0.1");
});

it("refuses a malformed TIDELINE_TRUSTED_PROXIES with the entry named", () => {
  expect(() => parseTrustedProxies("10.0.0.0/8, proxy.internal")).toThrow('TIDELINE_TRUSTED_PROXIES: "proxy.internal" is not an IP address or CIDR range');
  expect(() => parseTrustedProxies("10.0.0.0/33")).toThrow("invalid prefix length");
});

it("counts IPv6 by /64 and IPv4 as is", () => {
  expect(addressKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
  expect(addressKey("2001:db8::5")).toBe("2001:db8:0:0::/64");
  expect(addressKey("203.0.113.9")).toBe("203.0.113.9");
});

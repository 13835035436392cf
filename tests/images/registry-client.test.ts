// The registry client against a real registry (Debian's docker-registry, Distribution 2.8) with no auth,
// Basic (htpasswd) and token auth: tags, pagination, digests, auth/not-found/unreachable errors, rate limits.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../lib/errors";
import {
  clearRegistryTokenCache,
  getManifestDigest,
  listTags,
  nextLink,
  parseChallenges,
  parseImageRepository,
  parseRetryAfter,
} from "../../lib/images/registry-client";
import { startRegistry, type RegistryAuth, type TestRegistry } from "../../support/registry";

const MODES: RegistryAuth[] = ["none", "basic", "token"];
const TAGS = Array.from({ length: 12 }, (_, i) => `1.${i}.0`);
const registries = {} as Record<RegistryAuth, TestRegistry>;
const digests = {} as Record<RegistryAuth, Record<string, string>>;
const servers: http.Server[] = [];

async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function appError(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

/** Distribution 2.8 ignores `n`/`last` on tag lists, so this proxy pages the real answer the way the
 *  spec (and newer registries) do — sorted, `n` per page, `Link: <...?n=N&last=T>; rel="next"`. */
async function startPagingProxy(upstream: string): Promise<{ host: string; pages: string[] }> {
  const pages: string[] = [];
  const host = await listen(async (req, res) => {
    const url = new URL(req.url ?? "/", upstream);
    const headers: Record<string, string> = {};
    for (const name of ["authorization", "accept"]) if (req.headers[name]) headers[name] = String(req.headers[name]);
    const paging = /\/tags\/list$/.test(url.pathname) && req.method === "GET";
    const n = Number(url.searchParams.get("n") ?? 0);
    const last = url.searchParams.get("last");
    if (paging) pages.push(url.search);
    url.search = "";
    const answer = await fetch(url, { method: req.method, headers });
    const out: Record<string, string> = {};
    for (const name of ["content-type", "www-authenticate", "docker-content-digest", "retry-after"]) {
      const value = answer.headers.get(name);
      if (value) out[name] = value;
    }
    if (!paging || answer.status !== 200) {
      res.writeHead(answer.status, out);
      return res.end(Buffer.from(await answer.arrayBuffer()));
    }
    const body = (await answer.json()) as { name: string; tags: string[] };
    const all = [...body.tags].sort().filter((t) => last === null || t > last);
    const page = n > 0 ? all.slice(0, n) : all;
    if (page.length < all.length) out.link = `</v2/${body.name}/tags/list?n=${n}&last=${encodeURIComponent(page[page.length - 1]!)}>; rel="next"`;
    res.writeHead(200, out);
    res.end(JSON.stringify({ name: body.name, tags: page }));
  });
  return { host, pages };
}

beforeAll(async () => {
  await Promise.all(
    MODES.map(async (auth) => {
      const registry = await startRegistry({ auth });
      registries[auth] = registry;
      digests[auth] = {};
      for (const [i, tag] of TAGS.entries()) {
        digests[auth][tag] = await registry.pushImage("team/app", tag, { format: i % 2 ? "docker" : "oci" });
      }
    }),
  );
});

afterAll(async () => {
  await Promise.all(Object.values(registries).map((r) => r.stop()));
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

describe("parseImageRepository", () => {
  it.each([
    ["nginx", "docker.io", "library/nginx", "https://registry-1.docker.io"],
    ["docker.io/bitnami/redis", "docker.io", "bitnami/redis", "https://registry-1.docker.io"],
    ["ghcr.io/org/team/app", "ghcr.io", "org/team/app", "https://ghcr.io"],
    ["localhost:5000/app", "localhost:5000", "app", "http://localhost:5000"],
    ["127.0.0.1:5000/a/b", "127.0.0.1:5000", "a/b", "http://127.0.0.1:5000"],
    ["[::1]:5000/app", "[::1]:5000", "app", "http://[::1]:5000"],
    ["registry.example.com:8443/my_app-x/web.api", "registry.example.com:8443", "my_app-x/web.api", "https://registry.example.com:8443"],
  ])("%s", (ref, registry, repository, baseUrl) => {
    expect(parseImageRepository(ref)).toEqual({ registry, repository, baseUrl });
  });

  it("uses plain HTTP when asked to", () => {
    expect(parseImageRepository("registry.internal:5000/app", { insecure: true }).baseUrl).toBe("http://registry.internal:5000");
  });

  it.each([
    ["", /empty/],
    ["nginx:1.25", /without a tag/],
    ["ghcr.io/org/app:latest", /without a tag/],
    ["nginx@sha256:abc", /without a digest/],
    ["https://ghcr.io/org/app", /leave out the scheme/],
    ["Team/App", /lowercase/],
    ["ghcr.io/org//app", /empty path segment/],
    ["ghcr.io/", /empty path segment/],
    ["localhost:5000", /only a registry host/],
    ["registry:99999/app", /port 99999 is out of range/],
    ["ghcr.io/org/-app", /may only contain/],
    ["my registry/app", /whitespace/],
  ])("rejects %j", (ref, why) => {
    let error: unknown;
    try {
      parseImageRepository(ref);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("invalid");
    expect((error as AppError).message).toMatch(why);
  });
});

describe("header parsing", () => {
  it("reads several challenges with quoted commas", () => {
    const parsed = parseChallenges('Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull,push", Basic realm="x"');
    expect(parsed).toEqual([
      { scheme: "bearer", params: { realm: "https://auth.example/token", service: "reg", scope: "repository:a/b:pull,push" } },
      { scheme: "basic", params: { realm: "x" } },
    ]);
  });

  it("finds rel=next links and Retry-After values", () => {
    expect(nextLink('</v2/a/tags/list?n=2&last=b>; rel="next"', "http://r:1/v2/a/tags/list?n=2")).toBe("http://r:1/v2/a/tags/list?n=2&last=b");
    expect(nextLink('<http://r:1/x>; rel="prev", <http://r:1/y>; rel=next', "http://r:1/")).toBe("http://r:1/y");
    expect(nextLink('<http://r:1/x>; rel="nextpage"', "http://r:1/")).toBeNull();
    expect(parseRetryAfter("30")).toBe(30);
    expect(parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 42)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(42);
    expect(parseRetryAfter("soon")).toBeNull();
  });
});

describe.each(MODES)("real registry, auth %s", (auth) => {
  const reg = () => registries[auth];
  const image = (repo = "team/app") => `${reg().host}/${repo}`;

  it("lists every tag (Distribution 2.8 answers them all on one page)", async () => {
    const result = await listTags({ image: image(), credentials: reg().credentials, pageSize: 5 });
    expect([...result.tags].sort()).toEqual([...TAGS].sort());
    // The first call: none answers at once; basic is 401 + retry; token is 401 + token + retry.
    expect(result.requests).toBe({ none: 1, basic: 2, token: 3 }[auth]);
  });

  it("follows Link pagination until every tag is back", async () => {
    const proxy = await startPagingProxy(reg().url);
    const result = await listTags({ image: `${proxy.host}/team/app`, credentials: reg().credentials, pageSize: 5 });
    expect([...result.tags].sort()).toEqual([...TAGS].sort());
    expect(result.tags).toHaveLength(TAGS.length);
    expect(result.requests).toBeGreaterThan(1);
    const pagesServed = proxy.pages.filter((p) => p.includes("n=5"));
    expect(new Set(pagesServed).size).toBe(Math.ceil(TAGS.length / 5));
  });

  it("returns the digest pushImage got, for OCI and Docker manifests", async () => {
    for (const tag of [TAGS[0]!, TAGS[1]!]) {
      expect(await getManifestDigest({ image: image(), credentials: reg().credentials, tag })).toBe(digests[auth][tag]);
    }
    const missing = await appError(getManifestDigest({ image: image(), credentials: reg().credentials, tag: "9.9.9" }));
    expect(missing.code).toBe("not_found");
    expect(missing.message).toContain('tag "9.9.9"');
  });

  it("says not_found for a repository the registry does not have", async () => {
    const error = await appError(listTags({ image: image("team/missing"), credentials: reg().credentials }));
    expect(error.code).toBe("not_found");
    expect(error.message).toContain(reg().host);
    expect(error.message).toContain("team/missing");
  });

  if (auth !== "none")
    it("says upstream_auth for a wrong password or no credentials, never echoing them", async () => {
      const wrong = { username: reg().credentials!.username, password: "wrong-password-123" };
      const rejected = await appError(listTags({ image: image(), credentials: wrong }));
      expect(rejected.code).toBe("upstream_auth");
      expect(rejected.message).toContain(reg().host);
      expect(rejected.message).toContain("team/app");
      expect(rejected.message).toMatch(/rejected the credentials given/);
      expect(rejected.message).not.toContain("wrong-password-123");
      const anonymous = await appError(listTags({ image: image() }));
      expect(anonymous.code).toBe("upstream_auth");
      expect(anonymous.message).toMatch(/none were given/);
      const digest = await appError(getManifestDigest({ image: image(), credentials: wrong, tag: TAGS[0]! }));
      expect(digest.code).toBe("upstream_auth");
    });

  if (auth === "none")
    it("never sends credentials a registry does not ask for", async () => {
      const result = await listTags({ image: image(), credentials: { username: "nobody", password: "irrelevant" } });
      expect(result.tags).toHaveLength(TAGS.length);
      expect(result.requests).toBe(1);
    });
});

describe("bearer tokens", () => {
  it("are cached per registry and scope, and never reused for other credentials", async () => {
    const reg = registries.token;
    clearRegistryTokenCache();
    const before = reg.tokenRequests();
    const first = await listTags({ image: `${reg.host}/team/app`, credentials: reg.credentials });
    expect(first.requests).toBe(3); // 401, token, retry
    const second = await listTags({ image: `${reg.host}/team/app`, credentials: reg.credentials });
    expect(second.requests).toBe(1);
    expect(await getManifestDigest({ image: `${reg.host}/team/app`, credentials: reg.credentials, tag: TAGS[2]! })).toBe(digests.token[TAGS[2]!]);
    expect(reg.tokenRequests() - before).toBe(1);
    const wrong = await appError(listTags({ image: `${reg.host}/team/app`, credentials: { ...reg.credentials!, password: "nope" } }));
    expect(wrong.code).toBe("upstream_auth");
  });

  it("are fetched again once expires_in has passed", async () => {
    const reg = await startRegistry({ auth: "token", tokenExpiresInSeconds: 1 });
    try {
      await reg.pushImage("team/app", "1.0.0");
      await listTags({ image: `${reg.host}/team/app`, credentials: reg.credentials });
      await listTags({ image: `${reg.host}/team/app`, credentials: reg.credentials });
      expect(reg.tokenRequests()).toBe(1);
      await new Promise((r) => setTimeout(r, 1100));
      const again = await listTags({ image: `${reg.host}/team/app`, credentials: reg.credentials });
      expect(again.tags).toEqual(["1.0.0"]);
      expect(reg.tokenRequests()).toBe(2);
    } finally {
      await reg.stop();
    }
  });
});

describe("failures", () => {
  it("says unreachable, naming the host, when the registry is down; stop() leaves no process", async () => {
    const reg = await startRegistry({ auth: "basic" });
    await reg.pushImage("team/app", "1.0.0");
    await reg.stop();
    expect(() => process.kill(reg.pid!, 0)).toThrow();
    const error = await appError(listTags({ image: `${reg.host}/team/app`, credentials: reg.credentials }));
    expect(error.code).toBe("unreachable");
    expect(error.message).toContain(reg.host);
    expect(error.message).toMatch(/connection refused/);
    expect(error.message).not.toContain(reg.credentials!.password);
  });

  it("maps 429 to rate_limited with Retry-After, and 5xx to unreachable", async () => {
    const host = await listen((req, res) => {
      if (req.url?.startsWith("/v2/team/app/")) res.writeHead(429, { "Retry-After": "7", "Content-Type": "application/json" });
      else if (req.url?.startsWith("/v2/team/dated/")) res.writeHead(429, { "Retry-After": new Date(Date.now() + 20_000).toUTCString() });
      else res.writeHead(503, { "Content-Type": "application/json" });
      res.end(req.url?.startsWith("/v2/team/down/") ? '{"errors":[{"code":"UNAVAILABLE","message":"maintenance"}]}' : "{}");
    });
    const limited = await appError(listTags({ image: `${host}/team/app` }));
    expect(limited.code).toBe("rate_limited");
    expect(limited.details).toEqual({ retryAfterSeconds: 7 });
    expect(limited.message).toContain(host);
    const dated = await appError(getManifestDigest({ image: `${host}/team/dated`, tag: "1" }));
    expect(dated.code).toBe("rate_limited");
    expect(dated.details?.retryAfterSeconds).toBeGreaterThanOrEqual(18);
    expect(dated.details?.retryAfterSeconds).toBeLessThanOrEqual(20);
    const down = await appError(listTags({ image: `${host}/team/down` }));
    expect(down.code).toBe("unreachable");
    expect(down.message).toMatch(/HTTP 503: UNAVAILABLE maintenance/);
  });

  it("says unreachable when the host name does not resolve", async () => {
    const error = await appError(listTags({ image: "registry.invalid/team/app", timeoutMs: 5000 }));
    expect(error.code).toBe("unreachable");
    expect(error.message).toContain("registry.invalid");
  });
});

describe("registry notifications", () => {
  it("POSTs push events to notifyUrl", async () => {
    const events: Array<{ action: string; repository: string; tag?: string; mediaType: string }> = [];
    let authorization: string | undefined;
    const host = await listen((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c));
      req.on("end", () => {
        authorization = req.headers.authorization;
        for (const e of (JSON.parse(body) as { events: Array<{ action: string; target: { repository: string; tag?: string; mediaType: string } }> }).events) {
          events.push({ action: e.action, repository: e.target.repository, tag: e.target.tag, mediaType: e.target.mediaType });
        }
        res.end();
      });
    });
    const reg = await startRegistry({ notifyUrl: `http://${host}/hooks/registry`, notifyHeaders: { Authorization: "Bearer hook-secret" } });
    try {
      await reg.pushImage("team/web", "2.0.0");
      const deadline = Date.now() + 10_000;
      while (!events.some((e) => e.tag === "2.0.0") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(events).toContainEqual({ action: "push", repository: "team/web", tag: "2.0.0", mediaType: "application/vnd.oci.image.manifest.v1+json" });
      expect(authorization).toBe("Bearer hook-secret");
    } finally {
      await reg.stop();
    }
  });
});

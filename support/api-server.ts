// A running Tideline API without a Next.js build, for tests and benchmarks that need a real HTTP
// server (the CLI as a child process): node:http on 127.0.0.1 serving the real app/api route
// handlers, matched the way Next.js matches them (static segments before [param] ones) and
// called with a NextRequest. Pages, middleware and rewrites are not served.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { NextRequest } from "next/server";

const API_DIR = path.resolve(import.meta.dirname, "..", "app", "api");
const routeModule = (file: string): Promise<Record<string, unknown>> => import(/* @vite-ignore */ path.join(API_DIR, file, "route.ts"));

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

interface Route {
  /** The folder under app/api, e.g. "environments/[id]/sync". */
  file: string;
  segments: string[];
}

export interface ApiServer {
  url: string;
  /** Requests served so far, "METHOD /path -> status" (handy in a failing test's message). */
  log: string[];
  stop(): Promise<void>;
}

function routeFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return routeFiles(full, prefix ? `${prefix}/${name}` : name);
    return name === "route.ts" ? [prefix] : [];
  });
}

/** Every route, most specific first: at each depth a literal segment wins over a [param]. */
function routeTable(): Route[] {
  const routes = routeFiles(API_DIR).map((file) => ({ file, segments: file.split("/") }));
  const weight = (r: Route) => r.segments.map((s) => (s.startsWith("[") ? "1" : "0")).join("");
  return routes.sort((a, b) => a.segments.length - b.segments.length || weight(a).localeCompare(weight(b)));
}

function match(routes: Route[], pathname: string): { route: Route; params: Record<string, string> } | null {
  if (!pathname.startsWith("/api/")) return null;
  const parts = pathname
    .slice("/api/".length)
    .replace(/\/+$/, "")
    .split("/")
    .map((p) => decodeURIComponent(p));
  for (const route of routes) {
    if (route.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    if (route.segments.every((s, i) => (s.startsWith("[") ? ((params[s.slice(1, -1)] = parts[i]!), true) : s === parts[i]))) return { route, params };
  }
  return null;
}

const notFound = (what: string) => Response.json({ error: { code: "not_found", message: what } }, { status: 404 });

export async function startApiServer(): Promise<ApiServer> {
  const routes = routeTable();
  const log: string[] = [];
  let origin = "";

  async function answer(req: http.IncomingMessage): Promise<Response> {
    const url = new URL(req.url ?? "/", origin);
    const found = match(routes, url.pathname);
    if (!found) return notFound(`No route ${url.pathname}`);
    const handler = (await routeModule(found.route.file))[req.method ?? "GET"] as Handler | undefined;
    if (!handler) return Response.json({ error: { code: "method_not_allowed", message: `${req.method} is not allowed on ${url.pathname}` } }, { status: 405 });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
    const body = chunks.length && req.method !== "GET" && req.method !== "HEAD" ? Buffer.concat(chunks) : undefined;
    return handler(new NextRequest(url, { method: req.method, headers, body }), { params: Promise.resolve(found.params) });
  }

  const server = http.createServer((req, res) => {
    req.on("error", () => {});
    res.on("error", () => {});
    answer(req)
      .catch((e) => Response.json({ error: { code: "internal", message: `test API server: ${(e as Error).message}` } }, { status: 500 }))
      .then(async (response) => {
        log.push(`${req.method} ${req.url} -> ${response.status}`);
        const headers: Record<string, string | string[]> = {};
        response.headers.forEach((value, key) => {
          if (key !== "set-cookie") headers[key] = value;
        });
        const cookies = response.headers.getSetCookie();
        if (cookies.length) headers["set-cookie"] = cookies;
        const buf = Buffer.from(await response.arrayBuffer());
        delete headers["content-length"];
        delete headers["transfer-encoding"];
        res.writeHead(response.status, { ...headers, "content-length": String(buf.byteLength) });
        res.end(buf);
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    log,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// Calls an API route handler the way Next.js does (a NextRequest plus its path params),
// signed in with a session cookie or an API token, or not at all.
import path from "node:path";
import { NextRequest } from "next/server";
import { SESSION_COOKIE } from "../../lib/auth/sessions";

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

export async function routeModule(file: string): Promise<Record<string, Handler | undefined>> {
  return import(/* @vite-ignore */ path.resolve("app/api", file, "route.ts"));
}

export async function callRoute(opts: {
  /** The route's folder under app/api, e.g. "environments/[id]". */
  file: string;
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** The request path; defaults to /api/<file>. */
  url?: string;
  params?: Record<string, string>;
  cookie?: string;
  bearer?: string;
  body?: unknown;
}): Promise<Response> {
  const handler = (await routeModule(opts.file))[opts.method];
  if (!handler) throw new Error(`app/api/${opts.file}/route.ts has no ${opts.method} handler`);
  const headers: Record<string, string> = {};
  if (opts.cookie !== undefined) headers.cookie = `${SESSION_COOKIE}=${opts.cookie}`;
  if (opts.bearer !== undefined) headers.authorization = `Bearer ${opts.bearer}`;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const req = new NextRequest(new URL(opts.url ?? `/api/${opts.file}`, "http://tideline.test"), {
    method: opts.method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  return handler(req, { params: Promise.resolve(opts.params ?? {}) });
}

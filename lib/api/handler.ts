// Every API route goes through apiRoute: it authenticates the session, checks the
// action's permission, validates params/query/body with zod and maps errors to HTTP.
// Routes without a session (webhooks, /metrics) use loggedRoute: a request id and a log line each.
import { randomUUID } from "node:crypto";
import type { NextRequest } from "next/server";
import type { z } from "zod";
import { AppError } from "../errors";
import { can, type Action } from "../auth/roles";
import { rotateSessionIfDue, SESSION_COOKIE, userForToken, type SessionUser } from "../auth/sessions";
import { sessionCookieHeader } from "../auth/cookie";
import { db } from "../db";
import type { PrismaClient } from "../generated/prisma/client";
import { effectiveRole } from "../auth/application-roles";
import { tokenAllows, userForApiToken } from "../auth/api-tokens";
import { routePattern } from "../metrics/labels";
import { metrics, secondsSince } from "../metrics/registry";
import { logContext, withLogContext } from "../log/context";
import { logger } from "../log/logger";

const log = logger("api");

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

interface Spec<P, Q, B> {
  /** "public" routes (sign-in) skip authentication; all others need a session. */
  action: Action | "authenticated" | "public";
  /** For application-scoped routes: which application the resource in the path belongs to. */
  scope?: (prisma: PrismaClient, params: Out<P>) => Promise<string | null>;
  /** Same, for routes whose resource is named in the JSON body (checked before the body is validated, so 403 comes before 422). */
  bodyScope?: (prisma: PrismaClient, rawBody: Record<string, unknown>) => Promise<string | null>;
  params?: P;
  query?: Q;
  body?: B;
  /** Largest request body this route reads (default 1 MB); larger ones answer 413 unread. A function is read per request (configuration). */
  maxBodyBytes?: number | (() => number);
  /** Said in the 413 after the size: what the limit is for. */
  bodyLimitHint?: string | (() => string);
}

export interface Ctx<P, Q, B> {
  req: NextRequest;
  user: SessionUser;
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
}

type RouteContext = { params: Promise<Record<string, string | string[]>> };

export function apiRoute<P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined>(
  spec: Spec<P, Q, B>,
  fn: (ctx: Ctx<P, Q, B>) => Promise<unknown>,
) {
  return loggedRoute(async (req: NextRequest, context: RouteContext, route: string): Promise<Response> => {
    const started = performance.now();
    const response = await handle(req, context);
    metrics().httpDuration.observe({ method: req.method, route, code: String(response.status) }, secondsSince(started));
    return response;
  });

  function bodyLimit() {
    const bytes = typeof spec.maxBodyBytes === "function" ? spec.maxBodyBytes() : spec.maxBodyBytes;
    const hint = typeof spec.bodyLimitHint === "function" ? spec.bodyLimitHint() : spec.bodyLimitHint;
    return { bytes: bytes ?? DEFAULT_MAX_BODY_BYTES, hint };
  }

  async function handle(req: NextRequest, context: RouteContext): Promise<Response> {
    try {
      const mutating = !["GET", "HEAD", "OPTIONS"].includes(req.method);
      const bearer = req.headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
      // Bearer tokens are not sent by browsers on their own, so only cookie requests need the CSRF check.
      if (mutating && !bearer) assertSameOrigin(req);
      let user = null as SessionUser | null;
      let params: Out<P> | undefined;
      let rawBody: unknown;
      if (spec.action !== "public") {
        user = bearer ? await userForApiToken(db(), bearer) : await userForToken(db(), req.cookies.get(SESSION_COOKIE)?.value);
        if (!user) throw new AppError("unauthenticated", bearer ? "The API token is invalid, expired or revoked" : "Sign in to continue (no valid session)");
        params = parse(spec.params, await context.params, "path");
        if (spec.body || spec.bodyScope) rawBody = await readJson(req, bodyLimit());
        if (spec.action !== "authenticated") {
          // Application-scoped routes use the higher of the global role and the user's role on that application.
          const applicationId = spec.scope
            ? await spec.scope(db(), params as Out<P>)
            : spec.bodyScope
              ? await spec.bodyScope(db(), asRecord(rawBody))
              : undefined;
          const role = applicationId !== undefined ? await effectiveRole(db(), user, applicationId) : user.role;
          if (!can(role, spec.action))
            throw new AppError("forbidden", `Your role (${role}) may not perform ${spec.action}${applicationId !== undefined ? " on this application" : ""}`);
          if (!tokenAllows(user, spec.action)) throw new AppError("forbidden", `This API token's scopes do not include ${spec.action}`);
        }
      } else {
        params = parse(spec.params, await context.params, "path");
        if (spec.body) rawBody = await readJson(req, bodyLimit());
      }
      const query = parse(spec.query, Object.fromEntries(req.nextUrl.searchParams), "query");
      const body = spec.body ? parse(spec.body, rawBody, "body") : undefined;
      const result = await fn({ req, user: user!, params, query, body } as Ctx<P, Q, B>);
      const response = result instanceof Response ? result : Response.json(result ?? { ok: true });
      const rotated = user && !bearer && req.nextUrl.pathname !== "/api/auth/logout" ? await rotateSessionIfDue(db(), user) : null;
      if (rotated) response.headers.append("Set-Cookie", sessionCookieHeader(req, rotated.token, rotated.expiresAt));
      return response;
    } catch (error) {
      return errorResponse(error);
    }
  }
}

const asRecord = (v: unknown): Record<string, unknown> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

function parse<S extends Schema | undefined>(schema: S, value: unknown, where: string): Out<S> {
  if (!schema) return undefined as Out<S>;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    // A strict schema's unknown keys become one issue per key, so the 422 names each field.
    const issues = parsed.error.issues.flatMap((i) =>
      i.code === "unrecognized_keys"
        ? i.keys.map((k) => ({ field: [...i.path, k].join("."), message: "is not a field that can be set here (unknown or read-only)" }))
        : [{ field: i.path.join("."), message: i.message }],
    );
    const summary = issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join("; ");
    throw new AppError("invalid", `Invalid ${where}: ${summary}`, { issues });
  }
  return parsed.data as Out<S>;
}

export const DEFAULT_MAX_BODY_BYTES = 1_000_000;

/**
 * The request body as text, refused with 413 once it passes `maxBytes`: a declared
 * Content-Length is checked before anything is read, and the stream is cut at the cap (chunked
 * bodies have no length), so an oversized body is never held in memory.
 */
export async function readLimitedText(req: Request, maxBytes: number, hint?: string): Promise<string> {
  const limitText = maxBytes >= 1_000_000 ? `${Math.round(maxBytes / 100_000) / 10} MB` : `${maxBytes} bytes`;
  const tooLarge = () => new AppError("too_large", `Request body is larger than ${limitText}${hint ? `: ${hint}` : ""}`, { limit: maxBytes });
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function readJson(req: NextRequest, limit: { bytes: number; hint?: string }): Promise<unknown> {
  const text = await readLimitedText(req, limit.bytes, limit.hint);
  if (!text) return {};
  // HTML forms (sign-in/out work before JavaScript loads) post url-encoded fields.
  if (req.headers.get("content-type")?.startsWith("application/x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(text));
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("invalid", "Request body is not valid JSON");
  }
}

/** Cookie-authenticated mutations must come from our own pages (CSRF defence beside SameSite). */
function assertSameOrigin(req: NextRequest): void {
  const origin = req.headers.get("origin");
  if (!origin) return;
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new AppError("forbidden", "Cross-site request refused (malformed Origin)");
  }
  if (originHost !== host) throw new AppError("forbidden", `Cross-site request refused (Origin ${origin} does not match this site)`);
}

// The AppError behind an error response, for the request's log line (only the code and message).
const refusals = new WeakMap<Response, AppError>();

export function errorResponse(error: unknown): Response {
  if (error instanceof AppError) {
    const response = Response.json({ error: { code: error.code, message: error.message, ...(error.details ?? {}) } }, { status: error.status });
    refusals.set(response, error);
    return response;
  }
  // The reference is the request id: the person who reports it leads an operator to every line of the request.
  const ref = logContext().requestId ?? randomUUID().slice(0, 8);
  log.error({ err: error, ref }, "unexpected error");
  return Response.json({ error: { code: "internal", message: `Unexpected server error (reference ${ref}); see the server log` } }, { status: 500 });
}

// A caller's X-Request-Id is kept when it is a plain token (a proxy's or load balancer's id); anything else gets a new one.
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export const requestIdFor = (headers: Headers): string => {
  const given = headers.get("x-request-id")?.trim();
  return given && SANE_REQUEST_ID.test(given) ? given : randomUUID();
};

// Probes and scrapes arrive every few seconds: their lines are debug, not info.
const QUIET_ROUTES = new Set(["/api/health", "/api/metrics"]);

/**
 * Runs a route handler with a request id (X-Request-Id, echoed in the response) in the log context of
 * everything it calls, and logs one line per request: method, route pattern, status, duration.
 * Unexpected errors thrown by `fn` are answered as errorResponse does.
 */
export function loggedRoute<R extends Request, C extends { params?: Promise<unknown> } | undefined>(
  fn: (req: R, context: C, route: string) => Promise<Response>,
) {
  // The context is optional for routes without path params (tests call them with the request only).
  return async (req: R, context?: C): Promise<Response> => {
    const started = performance.now();
    const requestId = requestIdFor(req.headers);
    // Labelled by the route's pattern (/api/environments/[id]), never the URL (ids, query strings).
    const params = (await Promise.resolve(context?.params).catch(() => undefined)) as Record<string, string | string[]> | undefined;
    const route = routePattern(new URL(req.url).pathname, params);
    return withLogContext({ requestId }, async () => {
      const response = await fn(req, context as C, route).catch(errorResponse);
      const refused = refusals.get(response);
      const status = response.status;
      const line = {
        method: req.method,
        route,
        status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        ...(refused ? { error: { code: refused.code, message: refused.message } } : {}),
      };
      if (status >= 500) log.error(line, "request failed");
      else if (QUIET_ROUTES.has(route) && status < 400) log.debug(line, "request");
      else log.info(line, "request");
      return withRequestId(response, requestId);
    });
  };
}

function withRequestId(response: Response, requestId: string): Response {
  try {
    response.headers.set("X-Request-Id", requestId);
    return response;
  } catch {
    // Redirects made by Response.redirect have immutable headers: answer with a copy.
    const copy = new Response(response.body, response);
    copy.headers.set("X-Request-Id", requestId);
    return copy;
  }
}

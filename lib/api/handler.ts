// Every API route goes through apiRoute: it authenticates the session, checks the
// action's permission, validates params/query/body with zod and maps errors to HTTP.
import { randomUUID } from "node:crypto";
import type { NextRequest } from "next/server";
import { z } from "zod";
import { AppError } from "../errors";
import { can, type Action } from "../auth/roles";
import { rotateSessionIfDue, SESSION_COOKIE, userForToken, type SessionUser } from "../auth/sessions";
import { sessionCookieHeader } from "../auth/cookie";
import { db } from "../db";
import type { PrismaClient } from "../generated/prisma/client";
import { effectiveRole } from "../auth/application-roles";
import { tokenAllows, userForApiToken } from "../auth/api-tokens";

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
  return async (req: NextRequest, context: RouteContext): Promise<Response> => {
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
        if (spec.body || spec.bodyScope) rawBody = await readJson(req);
        if (spec.action !== "authenticated") {
          // Application-scoped routes use the higher of the global role and the user's role on that application.
          const applicationId = spec.scope ? await spec.scope(db(), params as Out<P>) : spec.bodyScope ? await spec.bodyScope(db(), asRecord(rawBody)) : undefined;
          const role = applicationId !== undefined ? await effectiveRole(db(), user, applicationId) : user.role;
          if (!can(role, spec.action)) throw new AppError("forbidden", `Your role (${role}) may not perform ${spec.action}${applicationId !== undefined ? " on this application" : ""}`);
          if (!tokenAllows(user, spec.action)) throw new AppError("forbidden", `This API token's scopes do not include ${spec.action}`);
        }
      } else {
        params = parse(spec.params, await context.params, "path");
        if (spec.body) rawBody = await readJson(req);
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
  };
}

const asRecord = (v: unknown): Record<string, unknown> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

function parse<S extends Schema | undefined>(schema: S, value: unknown, where: string): Out<S> {
  if (!schema) return undefined as Out<S>;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ field: i.path.join("."), message: i.message }));
    const summary = issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join("; ");
    throw new AppError("invalid", `Invalid ${where}: ${summary}`, { issues });
  }
  return parsed.data as Out<S>;
}

async function readJson(req: NextRequest): Promise<unknown> {
  const text = await req.text();
  if (text.length > 1_000_000) throw new AppError("invalid", "Request body is larger than 1 MB");
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

export function errorResponse(error: unknown): Response {
  if (error instanceof AppError) {
    return Response.json({ error: { code: error.code, message: error.message, ...(error.details ?? {}) } }, { status: error.status });
  }
  const ref = randomUUID().slice(0, 8);
  console.error(`[tideline] unexpected error ref=${ref}:`, error instanceof Error ? error.stack : error);
  return Response.json({ error: { code: "internal", message: `Unexpected server error (reference ${ref}); see the server log` } }, { status: 500 });
}

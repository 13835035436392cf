// The session cookie's attributes: httpOnly, SameSite=Lax, Secure on HTTPS.
import "server-only";
import type { NextRequest } from "next/server";
import { env } from "../env";
import { SESSION_COOKIE } from "./sessions";

function secure(req: NextRequest): boolean {
  const setting = env().TIDELINE_SECURE_COOKIES;
  if (setting !== "auto") return setting === "true";
  return (req.headers.get("x-forwarded-proto") ?? req.nextUrl.protocol.replace(":", "")) === "https";
}

export function sessionCookieHeader(req: NextRequest, token: string, expiresAt: Date): string {
  const parts = [`${SESSION_COOKIE}=${token}`, "Path=/", "HttpOnly", "SameSite=Lax", `Expires=${expiresAt.toUTCString()}`];
  if (secure(req)) parts.push("Secure");
  return parts.join("; ");
}

export function clearedSessionCookieHeader(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Expires=Thu, 01 Jan 1970 00:00:00 GMT`;
}

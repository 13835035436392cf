// The signed-in user for server components (pages); API routes use lib/api/handler.
import "server-only";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { db } from "../db";
import { SESSION_COOKIE, userForToken, type SessionUser } from "./sessions";

export async function currentUser(): Promise<SessionUser | null> {
  const store = await cookies();
  return userForToken(db(), store.get(SESSION_COOKIE)?.value);
}

export async function requireUser(): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect("/login");
  return user;
}

"use client";
// Mounted once in the app layout: keeps every page's queries current from the user's hint stream.
import { useLiveHints } from "./use-live-hints";

export function LiveHints() {
  useLiveHints();
  return null;
}

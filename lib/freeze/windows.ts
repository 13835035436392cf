// When a freeze window is open: one-off windows by their start and end; recurring ones by the last
// cron occurrence (in the window's time zone, so "Fri 18:00 Europe/Berlin" follows daylight saving)
// plus the duration. Pure functions over the stored row, shared by enforcement, sweeps and the UI.
import { CronExpressionParser } from "cron-parser";
import type { FreezeWindow } from "../generated/prisma/client";

export type FreezeAction = "sync" | "promotion" | "image-update";
export const FREEZE_ACTIONS: [FreezeAction, ...FreezeAction[]] = ["sync", "promotion", "image-update"];

export type WindowShape = Pick<FreezeWindow, "cron" | "durationMinutes" | "timeZone" | "startsAt" | "endsAt" | "enabled">;

export interface Interval {
  start: Date;
  end: Date;
}

/** The occurrence of the window that contains `at`, or null when it is closed at that moment. */
export function openInterval(w: WindowShape, at: Date): Interval | null {
  if (!w.enabled) return null;
  if (!w.cron) {
    if (!w.startsAt || !w.endsAt) return null;
    return w.startsAt <= at && at < w.endsAt ? { start: w.startsAt, end: w.endsAt } : null;
  }
  const duration = (w.durationMinutes ?? 0) * 60_000;
  if (duration <= 0) return null;
  // The latest start at or before `at` (cron-parser's prev() is strictly before currentDate).
  const expr = CronExpressionParser.parse(w.cron, { tz: w.timeZone, currentDate: new Date(at.getTime() + 1) });
  let start = expr.prev().toDate();
  if (start > at) start = expr.prev().toDate();
  if (w.startsAt && start < w.startsAt) return null;
  if (start.getTime() + duration <= at.getTime()) return null;
  let end = new Date(start.getTime() + duration);
  // Occurrences that start before this one ends extend it (a window longer than its period).
  const after = CronExpressionParser.parse(w.cron, { tz: w.timeZone, currentDate: start });
  for (let i = 0; i < 50; i++) {
    const next = after.next().toDate();
    if (next >= end) break;
    end = new Date(next.getTime() + duration);
  }
  if (w.endsAt && end > w.endsAt) end = w.endsAt;
  return { start, end };
}

/** The next time the window opens after `at` (for allow-windows: when work may resume). */
export function nextOpening(w: WindowShape, at: Date): Date | null {
  if (!w.enabled) return null;
  if (!w.cron) return w.startsAt && w.startsAt > at ? w.startsAt : null;
  const next = CronExpressionParser.parse(w.cron, { tz: w.timeZone, currentDate: at }).next().toDate();
  return w.endsAt && next >= w.endsAt ? null : next;
}

/** Throws with a message naming the field when the cron or time zone do not parse. */
export function validateRecurrence(cron: string, timeZone: string): void {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
  } catch {
    throw new Error(`timeZone: "${timeZone}" is not an IANA time zone (e.g. Europe/Berlin)`);
  }
  if (cron.trim().split(/\s+/).length !== 5) throw new Error(`cron: "${cron}" must have five fields (minute hour day-of-month month day-of-week)`);
  try {
    CronExpressionParser.parse(cron, { tz: timeZone, strict: false }).next();
  } catch (e) {
    throw new Error(`cron: ${(e as Error).message}`);
  }
}

/** "Fri 18:00 UTC" (or in the window's zone: "Fri 18:00 Europe/Berlin"). */
export function formatMoment(d: Date, timeZone = "UTC"): string {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    day: "numeric",
    month: "short",
  }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  const soon = Math.abs(d.getTime() - Date.now()) < 6 * 86_400_000;
  return `${get("weekday")}${soon ? "" : ` ${get("day")} ${get("month")}`} ${get("hour")}:${get("minute")} ${timeZone}`;
}

// Creating, changing and listing freeze windows (admins; every change audited by the route).
import { z } from "zod";
import type { PrismaClient } from "../generated/prisma/client";
import { invalid, notFound } from "../errors";
import { evaluate } from "./status";
import { FREEZE_ACTIONS, formatMoment, nextOpening, openInterval, validateRecurrence } from "./windows";

const base = z.object({
  name: z.string().trim().min(1).max(120),
  scopeType: z.enum(["project", "environment"]),
  scopeId: z.string().min(1).max(100),
  mode: z.enum(["deny", "allow"]).default("deny"),
  actions: z
    .array(z.enum(FREEZE_ACTIONS))
    .min(1)
    .default([...FREEZE_ACTIONS]),
  cron: z.string().trim().max(120).nullish(),
  durationMinutes: z
    .number()
    .int()
    .min(1)
    .max(60 * 24 * 31)
    .nullish(),
  timeZone: z.string().trim().max(64).default("UTC"),
  startsAt: z.coerce.date().nullish(),
  endsAt: z.coerce.date().nullish(),
  reason: z.string().max(500).default(""),
  enabled: z.boolean().default(true),
});

export const createFreezeWindowInput = base;
export const updateFreezeWindowInput = base.partial();
/** Admins acting inside a freeze window say why (audited as freeze.override). */
export const freezeOverrideInput = z
  .object({ reason: z.string().trim().min(1, "say why the freeze is overridden").max(2000) })
  .describe("admins: act inside a freeze window (audited)");
export const listFreezeWindowsQuery = z.object({ environmentId: z.string().optional(), projectId: z.string().optional() });

type Input = z.output<typeof base>;

function check(w: Partial<Input>) {
  if (w.cron) {
    if (!w.durationMinutes) throw invalid("durationMinutes: a recurring window needs a duration", { field: "durationMinutes" });
    try {
      validateRecurrence(w.cron, w.timeZone ?? "UTC");
    } catch (e) {
      const msg = (e as Error).message;
      throw invalid(msg, { field: msg.split(":")[0] });
    }
  } else {
    if (!w.startsAt || !w.endsAt)
      throw invalid("startsAt: a one-off window needs startsAt and endsAt (or give a cron and durationMinutes)", { field: "startsAt" });
    if (w.endsAt <= w.startsAt) throw invalid("endsAt: must be after startsAt", { field: "endsAt" });
  }
}

async function assertScope(prisma: PrismaClient, scopeType: string, scopeId: string) {
  const found =
    scopeType === "project"
      ? await prisma.project.findUnique({ where: { id: scopeId }, select: { id: true } })
      : await prisma.environment.findUnique({ where: { id: scopeId }, select: { id: true } });
  if (!found) throw invalid(`scopeId: ${scopeType} ${scopeId} does not exist`, { field: "scopeId" });
}

export async function createFreezeWindow(prisma: PrismaClient, actorName: string, input: Input) {
  check(input);
  await assertScope(prisma, input.scopeType, input.scopeId);
  return prisma.freezeWindow.create({
    data: { ...input, cron: input.cron || null, durationMinutes: input.cron ? input.durationMinutes! : null, createdByName: actorName },
  });
}

export async function updateFreezeWindow(prisma: PrismaClient, id: string, input: Partial<Input>) {
  const before = await prisma.freezeWindow.findUnique({ where: { id } });
  if (!before) throw notFound(`Freeze window ${id} does not exist`);
  const merged = { ...before, ...input } as Input;
  check(merged);
  if (input.scopeType || input.scopeId) await assertScope(prisma, merged.scopeType, merged.scopeId);
  const after = await prisma.freezeWindow.update({
    where: { id },
    data: { ...input, ...(input.cron === null || input.cron === "" ? { cron: null, durationMinutes: null } : {}) },
  });
  return { before, after };
}

export async function deleteFreezeWindow(prisma: PrismaClient, id: string) {
  const before = await prisma.freezeWindow.findUnique({ where: { id } });
  if (!before) throw notFound(`Freeze window ${id} does not exist`);
  await prisma.freezeWindow.delete({ where: { id } });
  return before;
}

/** Windows with whether each is open now and when it closes or next opens. */
export async function listFreezeWindows(prisma: PrismaClient, query: z.output<typeof listFreezeWindowsQuery>) {
  const or: Array<{ scopeType: string; scopeId: string }> = [];
  if (query.environmentId) {
    const env = await prisma.environment.findUnique({ where: { id: query.environmentId }, select: { application: { select: { projectId: true } } } });
    or.push({ scopeType: "environment", scopeId: query.environmentId });
    if (env) or.push({ scopeType: "project", scopeId: env.application.projectId });
  }
  if (query.projectId) or.push({ scopeType: "project", scopeId: query.projectId });
  const rows = await prisma.freezeWindow.findMany({ where: or.length ? { OR: or } : {}, orderBy: { createdAt: "desc" }, take: 500 });
  const now = new Date();
  return {
    windows: rows.map((w) => {
      const open = openInterval(w, now);
      const next = open ? null : nextOpening(w, now);
      return {
        ...w,
        open: Boolean(open),
        until: open?.end ?? null,
        untilText: open ? formatMoment(open.end, w.timeZone) : null,
        nextOpensAt: next,
        nextOpensText: next ? formatMoment(next, w.timeZone) : null,
      };
    }),
  };
}

export { evaluate };

// Announces freeze windows opening and closing (freeze.started / freeze.ended), run by the minute sweep.
import type { PrismaClient } from "../generated/prisma/client";
import { emitEvent } from "../notifications/emit";
import { formatMoment, openInterval } from "./windows";

export async function announceFreezeTransitions(prisma: PrismaClient, now = new Date()): Promise<{ started: number; ended: number }> {
  const windows = await prisma.freezeWindow.findMany({ where: { OR: [{ enabled: true }, { activeSince: { not: null } }] } });
  let started = 0;
  let ended = 0;
  for (const w of windows) {
    const open = openInterval(w, now);
    const scope = w.scopeType === "project" ? { projectId: w.scopeId } : { environmentId: w.scopeId };
    const what = `${w.mode === "allow" ? "Allow window" : "Freeze window"} "${w.name}"`;
    if (open && !w.activeSince) {
      const claimed = await prisma.freezeWindow.updateMany({ where: { id: w.id, activeSince: null }, data: { activeSince: open.start } });
      if (claimed.count === 0) continue;
      started += 1;
      await emitEvent(prisma, {
        type: "freeze.started",
        ...scope,
        dedupeKey: `freeze.started:${w.id}:${open.start.toISOString()}`,
        title: `${what} started, until ${formatMoment(open.end, w.timeZone)}`,
        body: w.reason,
        data: { windowId: w.id, actions: w.actions, mode: w.mode },
      });
    } else if (!open && w.activeSince) {
      const since = w.activeSince;
      const claimed = await prisma.freezeWindow.updateMany({ where: { id: w.id, activeSince: since }, data: { activeSince: null } });
      if (claimed.count === 0) continue;
      ended += 1;
      await emitEvent(prisma, {
        type: "freeze.ended",
        ...scope,
        dedupeKey: `freeze.ended:${w.id}:${since.toISOString()}`,
        title: `${what} ended`,
        body: w.reason,
        data: { windowId: w.id, mode: w.mode },
      });
    }
  }
  return { started, ended };
}

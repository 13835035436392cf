// Is this environment frozen for an action right now? Deny windows (of the environment or its
// project) that are open freeze it; allow windows, when any cover the action, freeze it outside
// them. The one call every enforcement point makes: assertNotFrozen (people) or freezeRefusal (automation).
import type { FreezeWindow, PrismaClient } from "../generated/prisma/client";
import { AppError } from "../errors";
import { recordAudit } from "../audit/record";
import { effectiveRole } from "../auth/application-roles";
import type { RoleName } from "../auth/roles";
import { formatMoment, nextOpening, openInterval, type FreezeAction } from "./windows";

export interface FreezeBlock {
  windowId: string;
  name: string;
  mode: string;
  reason: string;
  /** When the action is allowed again (null: not known, e.g. no later allow window). */
  until: Date | null;
  untilText: string;
}

export interface FreezeState {
  environmentId: string;
  environment: string;
  frozen: boolean;
  /** Per action: what blocks it now. */
  blocks: Record<FreezeAction, FreezeBlock[]>;
  /** Windows that are open now (deny or allow), for banners. */
  open: Array<{ id: string; name: string; mode: string; until: Date; untilText: string }>;
  /** The next moment any window opens or closes (null: none ahead): pages refresh then instead of polling. */
  nextChangeAt: Date | null;
}

const ACTION_LABEL: Record<FreezeAction, string> = { sync: "syncs", promotion: "promotions", "image-update": "image updates" };

export async function windowsFor(prisma: PrismaClient, environmentId: string) {
  const env = await prisma.environment.findUnique({
    where: { id: environmentId },
    select: { id: true, name: true, application: { select: { projectId: true } } },
  });
  if (!env) return null;
  const windows = await prisma.freezeWindow.findMany({
    where: {
      enabled: true,
      OR: [
        { scopeType: "environment", scopeId: env.id },
        { scopeType: "project", scopeId: env.application.projectId },
      ],
    },
    orderBy: { createdAt: "asc" },
  });
  return { env, windows };
}

export function evaluate(windows: FreezeWindow[], environment: { id: string; name: string }, now = new Date()): FreezeState {
  const blocks: FreezeState["blocks"] = { sync: [], promotion: [], "image-update": [] };
  const open: FreezeState["open"] = [];
  for (const w of windows) {
    const interval = openInterval(w, now);
    if (interval) open.push({ id: w.id, name: w.name, mode: w.mode, until: interval.end, untilText: formatMoment(interval.end, w.timeZone) });
  }
  for (const action of Object.keys(blocks) as FreezeAction[]) {
    const covering = windows.filter((w) => w.actions.includes(action));
    for (const w of covering.filter((w) => w.mode === "deny")) {
      const interval = openInterval(w, now);
      if (interval)
        blocks[action].push({
          windowId: w.id,
          name: w.name,
          mode: "deny",
          reason: w.reason,
          until: interval.end,
          untilText: formatMoment(interval.end, w.timeZone),
        });
    }
    const allows = covering.filter((w) => w.mode === "allow");
    if (allows.length && !allows.some((w) => openInterval(w, now))) {
      const next = allows
        .map((w) => ({ w, at: nextOpening(w, now) }))
        .filter((x) => x.at)
        .sort((a, b) => a.at!.getTime() - b.at!.getTime())[0];
      const w = next?.w ?? allows[0]!;
      blocks[action].push({
        windowId: w.id,
        name: w.name,
        mode: "allow",
        reason: w.reason,
        until: next?.at ?? null,
        untilText: next?.at ? formatMoment(next.at, w.timeZone) : "no upcoming window",
      });
    }
  }
  const frozen = Object.values(blocks).some((b) => b.length > 0);
  const changes = windows.map((w) => openInterval(w, now)?.end ?? nextOpening(w, now)).filter((d): d is Date => d !== null && d !== undefined);
  const nextChangeAt = changes.length ? new Date(Math.min(...changes.map((d) => d.getTime()))) : null;
  return { environmentId: environment.id, environment: environment.name, frozen, blocks, open, nextChangeAt };
}

export async function freezeState(prisma: PrismaClient, environmentId: string, now = new Date()): Promise<FreezeState | null> {
  const found = await windowsFor(prisma, environmentId);
  return found ? evaluate(found.windows, found.env, now) : null;
}

export function refusalMessage(environment: string, action: FreezeAction, b: FreezeBlock): string {
  const what = ACTION_LABEL[action];
  const reason = b.reason ? ` (${b.reason})` : "";
  return b.mode === "allow"
    ? `${environment} accepts ${what} only inside freeze window "${b.name}"${reason}; next opening ${b.untilText}`
    : `${environment} is frozen for ${what} by freeze window "${b.name}"${reason} until ${b.untilText}`;
}

/** For automation (auto-sync, self-heal, image updates): the refusal message, or null when allowed. */
export async function freezeRefusal(prisma: PrismaClient, environmentId: string, action: FreezeAction, now = new Date()): Promise<string | null> {
  const state = await freezeState(prisma, environmentId, now);
  const block = state?.blocks[action][0];
  return state && block ? refusalMessage(state.environment, action, block) : null;
}

export interface FreezeOverride {
  actor: { id: string; username: string; role: RoleName };
  reason: string;
}

/**
 * For people (sync, promotion): throws 409 naming the window, unless an admin of the application
 * overrides it with a reason, which is audited.
 */
export async function assertNotFrozen(prisma: PrismaClient, environmentId: string, action: FreezeAction, override?: FreezeOverride | null): Promise<void> {
  const state = await freezeState(prisma, environmentId);
  if (!state || state.blocks[action].length === 0) return;
  const blocks = state.blocks[action];
  const message = refusalMessage(state.environment, action, blocks[0]!);
  if (!override)
    throw new AppError("conflict", `${message}; an admin may override with a reason`, {
      freeze: blocks.map((b) => ({ windowId: b.windowId, name: b.name, until: b.until?.toISOString() ?? null })),
    });
  const env = await prisma.environment.findUniqueOrThrow({ where: { id: environmentId }, select: { applicationId: true } });
  const role = await effectiveRole(prisma, override.actor, env.applicationId);
  if (role !== "admin") throw new AppError("forbidden", `${message}; only an admin may override a freeze window (your role: ${role})`);
  if (!override.reason.trim()) throw new AppError("invalid", "freezeOverride.reason: say why the freeze is overridden", { field: "freezeOverride.reason" });
  await recordAudit(prisma, {
    actor: override.actor,
    action: "freeze.override",
    targetType: "environment",
    targetId: environmentId,
    details: { action, reason: override.reason, windows: blocks.map((b) => ({ id: b.windowId, name: b.name })) },
  });
}

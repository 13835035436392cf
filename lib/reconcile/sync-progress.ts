// The sync an environment is running (or waiting to run) right now, for its page's header:
// "Syncing: wave 2 of 3, waiting for Job migrate (running: 0 succeeded, 1 active)".
import type { PrismaClient } from "../generated/prisma/client";
import type { SyncOutcome, SyncProgress } from "./sync";

export interface RunningSync {
  id: string;
  status: "queued" | "running";
  trigger: string;
  actorName: string;
  startedAt: string;
  progress: SyncProgress | null;
  /** One line: what the sync is doing now. */
  summary: string;
  /** Hooks that ran so far in this sync, with their outcome. */
  hooks: Array<{ kind: string; name: string; phase: string; status: string; message: string }>;
}

export async function runningSyncOf(prisma: PrismaClient, environmentId: string): Promise<RunningSync | null> {
  const run = await prisma.syncRun.findFirst({
    where: { environmentId, status: { in: ["running", "queued"] } },
    orderBy: [{ status: "desc" }, { queuedAt: "asc" }],
  });
  if (!run) return null;
  const progress = (run.progress as unknown as SyncProgress | null) ?? null;
  const summary = run.status === "queued" ? "Sync queued" : progress && progress.state !== "finished" ? `Syncing: ${progress.message}` : "Syncing: starting";
  const hooks = (run.results as unknown as SyncOutcome[])
    .filter((r) => r.hook)
    .map((r) => ({ kind: r.kind, name: r.name, phase: r.hook!.phase, status: r.hook!.status, message: r.message }));
  return {
    id: run.id,
    status: run.status as RunningSync["status"],
    trigger: run.trigger,
    actorName: run.actorName,
    startedAt: run.startedAt.toISOString(),
    progress,
    summary,
    hooks,
  };
}

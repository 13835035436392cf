// Changing what runs: `sync` (follows the run object by object with --wait), `rollback`, and
// `release` of a rollback's sync hold.
import type { Command } from "commander";
import { act } from "../action";
import type { Api } from "../client";
import { parseDuration } from "../duration";
import { CliError, EXIT, usageError } from "../errors";
import { emit, fields, progress, short, table } from "../output";
import { label, resolveEnvironment, type EnvRef } from "../resolve";
import { apiFor, type GlobalOptions } from "../session";
import { objectName, waitForSyncRun, type SyncRun } from "../wait";
import { followPromotion, type Promotion } from "./promotions";

interface Preview {
  revision: string;
  renderer: string;
  prune: boolean;
  blocked: string[];
  objects: Array<{ id: string; kind: string; namespace: string; name: string; syncStatus: string; error: string | null }>;
}

const clock = () => new Date().toISOString().slice(11, 19);

/** Follows a sync run to its end, a line per object as the worker records it; throws unless it succeeded. */
export async function followSyncRun(api: Api, opts: GlobalOptions, env: EnvRef, runId: string, timeoutMs: number): Promise<SyncRun> {
  const run = await waitForSyncRun(api, runId, timeoutMs, {
    onStatus: (r, previous) => {
      if (r.status === "running")
        progress(opts, `${clock()}  running    ${label(env)} at ${short(r.revision) || "branch head"}${r.workerName ? ` (worker ${r.workerName})` : ""}`);
      else if (r.status === "queued" && previous === null) progress(opts, `${clock()}  queued     waiting for a worker`);
    },
    // A pruned object's health is from before it was deleted: not shown.
    onObject: (o) =>
      progress(
        opts,
        `${clock()}  ${o.action.padEnd(9)}  ${objectName(o)}${o.health && o.action !== "pruned" ? `  ${o.health}` : ""}${o.message ? `  ${o.message}` : ""}`,
      ),
    onResumed: (from, to) => progress(opts, `${clock()}  resumed    run ${from.id} goes on as ${to}: ${from.error ?? from.status}`),
  });
  const took = run.finishedAt ? ` in ${((new Date(run.finishedAt).getTime() - new Date(run.startedAt).getTime()) / 1000).toFixed(1)}s` : "";
  const counts = Object.entries(run.results.reduce<Record<string, number>>((n, r) => ({ ...n, [r.action]: (n[r.action] ?? 0) + 1 }), {}))
    .map(([a, n]) => `${n} ${a}`)
    .join(", ");
  progress(opts, `${clock()}  ${run.status.padEnd(9)}  sync run ${run.id} of ${label(env)}${took}${counts ? ` (${counts})` : ""}`);
  return run;
}

export const syncFailed = (env: EnvRef, run: SyncRun) =>
  new CliError(
    `Sync run ${run.id} of ${label(env)} ${run.status}${run.error ? `: ${run.error}` : ""}`,
    EXIT.failed,
    run.results.filter((r) => r.action === "failed").map((r) => `${objectName(r)}: ${r.message}`),
  );

export function registerSync(program: Command) {
  program
    .command("sync")
    .argument("<env>", "APP/ENV or environment id")
    .description("Sync an environment to Git (the server answers with a run id at once; --wait follows it object by object)")
    .option("--wait", "follow the run until it finishes; exit 1 unless it succeeded (failed, partial, degraded)")
    .option("--timeout <duration>", "with --wait: give up after this long (exit 1; the sync goes on)", parseDuration, 300_000)
    .option("--dry-run", "only show what would change (no sync)")
    .option("--prune", "this sync deletes objects removed from Git, whatever the environment's prune setting")
    .option("--no-prune", "this sync keeps objects removed from Git, whatever the environment's prune setting")
    .option("--revision <sha>", "refuse if Git is no longer at this commit (what you previewed)")
    .addHelpText("after", "\nExamples:\n  tideline sync guestbook/dev --wait --timeout 5m\n  tideline sync guestbook/prod --dry-run -o json")
    .action(
      act(async (opts, ref) => {
        const api = apiFor(opts);
        const env = await resolveEnvironment(api, ref!);
        const path = `/api/environments/${encodeURIComponent(env.id)}/sync`;
        if (opts.dryRun) {
          const preview = await api.post<Preview>(path, { dryRun: true, prune: opts.prune });
          emit(opts, preview, () =>
            [
              fields([
                ["Environment", label(env)],
                ["Revision", short(preview.revision)],
                ["Renderer", preview.renderer],
                ["Prune", preview.prune ? "yes" : "no"],
              ]),
              "",
              table(
                ["KIND", "NAMESPACE", "NAME", "WOULD", "ERROR"],
                preview.objects.map((o) => [o.kind, o.namespace, o.name, wouldDo(o.syncStatus, preview.prune), o.error]),
              ),
              ...preview.blocked.map((b) => `blocked: ${b}`),
            ].join("\n"),
          );
          if (preview.blocked.length) throw new CliError(`A sync of ${label(env)} would be blocked: ${preview.blocked[0]}`, EXIT.failed);
          return;
        }
        const { runId } = await api.post<{ runId: string }>(path, { expectedRevision: opts.revision, prune: opts.prune });
        if (!opts.wait) {
          emit(
            opts,
            { runId, environment: label(env) },
            () => `Sync run ${runId} of ${label(env)} queued (follow it: tideline sync ${label(env)} --wait, or tideline env history ${label(env)})`,
          );
          return;
        }
        progress(opts, `${clock()}  requested  sync run ${runId} of ${label(env)}`);
        const run = await followSyncRun(api, opts, env, runId, opts.timeout);
        if (opts.output !== "table") emit(opts, run, () => "");
        if (run.status !== "succeeded") throw syncFailed(env, run);
      }),
    );

  program
    .command("rollback")
    .argument("<env>", "APP/ENV or environment id")
    .requiredOption("--to <sync>", "an earlier successful sync run id, or its revision (see `tideline env history`)")
    .option("--reason <text>", "why (recorded in the audit log and the revert change request)")
    .option("--emergency", "admins: skip the approvals of a protected environment (audited)")
    .option("--wait", "follow the rollback until it is synced (or fails)")
    .option("--timeout <duration>", "with --wait: give up after this long", parseDuration, 300_000)
    .description("Roll back to an earlier sync: syncs it at once, holds auto-sync and opens a revert change request (protected environments: after approvals)")
    .action(
      act(async (opts, ref) => {
        const api = apiFor(opts);
        const env = await resolveEnvironment(api, ref!);
        const { items } = await api.get<{
          items: Array<{ syncRunId: string; revision: string; available: boolean; reason: string | null; subject: string | null }>;
        }>(`/api/environments/${encodeURIComponent(env.id)}/rollback-targets`);
        const to = String(opts.to);
        const target = items.find((t) => t.syncRunId === to) ?? (/^[0-9a-f]{4,40}$/.test(to) ? items.find((t) => t.revision.startsWith(to)) : undefined);
        if (!target)
          throw usageError(
            `"${to}" is not a successful sync of ${label(env)} to roll back to`,
            items.slice(0, 5).map((t) => `${t.syncRunId}  ${short(t.revision)}  ${t.subject ?? ""}${t.available ? "" : `  (unavailable: ${t.reason})`}`),
          );
        if (!target.available) throw usageError(`Cannot roll back ${label(env)} to ${short(target.revision)}: ${target.reason}`);
        const { promotion } = await api.post<{ promotion: Promotion }>(`/api/environments/${encodeURIComponent(env.id)}/rollback`, {
          syncRunId: target.syncRunId,
          emergency: Boolean(opts.emergency),
          reason: opts.reason,
        });
        const final = opts.wait ? await followPromotion(api, opts, promotion.id, opts.timeout) : promotion;
        emit(
          opts,
          final,
          () =>
            `Rollback ${final.id} of ${label(env)} to ${short(target.revision)}: ${final.status}${final.status === "awaiting_approval" ? ` (approve with: tideline approve ${final.id})` : ""}`,
        );
        if (["failed", "rejected", "cancelled"].includes(final.status)) process.exitCode = EXIT.failed;
      }),
    );

  program
    .command("hold")
    .argument("<env>", "APP/ENV or environment id")
    .requiredOption("--reason <text>", "why (shown on the environment and recorded in the audit log)")
    .description("Hold auto-sync at the revision that runs now (an incident, a change freeze) until `tideline release`")
    .action(
      act(async (opts, ref) => {
        const api = apiFor(opts);
        const env = await resolveEnvironment(api, ref!);
        const out = await api.post<{ revision: string; reason: string }>(`/api/environments/${encodeURIComponent(env.id)}/hold`, { reason: opts.reason });
        emit(opts, out, () => `Held ${label(env)} at ${short(out.revision)}: auto-sync stays there until \`tideline release ${label(env)}\``);
      }),
    );

  program
    .command("release")
    .argument("<env>", "APP/ENV or environment id")
    .description("Release a sync hold (a rollback's or `tideline hold`'s): auto-sync follows the branch again")
    .action(
      act(async (opts, ref) => {
        const api = apiFor(opts);
        const env = await resolveEnvironment(api, ref!);
        const out = await api.delete(`/api/environments/${encodeURIComponent(env.id)}/hold`);
        emit(opts, out, () => `Released the sync hold of ${label(env)}`);
      }),
    );
}

function wouldDo(syncStatus: string, prune: boolean): string {
  if (syncStatus === "Missing") return "create";
  if (syncStatus === "OutOfSync") return "update";
  if (syncStatus === "Extraneous") return prune ? "prune" : "keep (prune off)";
  if (syncStatus === "Error") return "fail";
  return "nothing";
}

// Reading state: `app list|get` and `env get|diff|history` (environments named APP/ENV or by id).
import type { Command } from "commander";
import { act } from "../action";
import { EXIT } from "../errors";
import { ago, duration, emit, fields, short, table } from "../output";
import { label, listApplications, resolveApplication, resolveEnvironment } from "../resolve";
import { apiFor } from "../session";
import { unifiedDiff } from "../textdiff";
import type { SyncRun } from "../wait";

export interface Environment {
  id: string;
  name: string;
  applicationName?: string;
  repositoryName?: string;
  clusterName?: string;
  branch: string;
  path: string;
  namespace: string;
  renderer: string;
  syncStatus: string;
  health: string;
  desiredRevision: string | null;
  syncedRevision: string | null;
  autoSync: boolean;
  prune: boolean;
  detectOnly: boolean;
  syncHold: boolean;
  syncHoldReason: string | null;
  lastReconciledAt: string | null;
  lastError?: string | null;
}
export interface Resource {
  id: string;
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  syncStatus: string;
  health: string;
  healthMessage: string | null;
  message: string | null;
}

/** Exit 1 once the output is printed: CI can gate on an environment's health. */
export function failIfDegraded(what: string, health: string) {
  if (health === "Degraded") {
    process.stderr.write(`error: ${what} is Degraded\n`);
    process.exitCode = EXIT.failed;
  }
}

const objectRef = (r: Pick<Resource, "kind" | "namespace" | "name">) => `${r.kind}/${r.namespace ? `${r.namespace}/` : ""}${r.name}`;

export function registerApps(program: Command) {
  const app = program.command("app").description("Applications and their environments");
  app
    .command("list")
    .alias("ls")
    .description("Applications with each environment's sync status and health")
    .action(
      act(async (opts) => {
        const apps = await listApplications(apiFor(opts));
        emit(opts, apps, () =>
          table(
            ["NAME", "ENVIRONMENTS", "DESCRIPTION"],
            apps.map((a) => [a.name, a.environments.map((e) => `${e.name}:${e.syncStatus}/${e.health}`).join(" "), a.description]),
          ),
        );
      }),
    );
  app
    .command("get")
    .argument("<app>", "application name or id")
    .description("One application: its environments in pipeline order")
    .action(
      act(async (opts, ref) => {
        const api = apiFor(opts);
        const { id } = await resolveApplication(api, ref!);
        const out = await api.get<{ application: { id: string; name: string; description: string | null }; environments: Environment[] }>(
          `/api/applications/${encodeURIComponent(id)}`,
        );
        emit(opts, out, () =>
          [
            fields([
              ["Name", out.application.name],
              ["ID", out.application.id],
              ["Description", out.application.description],
            ]),
            "",
            table(
              ["ENV", "SYNC", "HEALTH", "REVISION", "CLUSTER", "NAMESPACE", "SOURCE", "AUTO-SYNC"],
              out.environments.map((e) => [
                e.name,
                e.syncStatus,
                e.health,
                short(e.syncedRevision),
                e.clusterName,
                e.namespace,
                `${e.repositoryName}@${e.branch}:${e.path || "/"}`,
                e.syncHold ? "held" : e.autoSync ? "on" : "off",
              ]),
            ),
          ].join("\n"),
        );
        for (const e of out.environments) failIfDegraded(`${out.application.name}/${e.name}`, e.health);
      }),
    );

  const env = program.command("env").description("One environment: state, drift, sync history");
  env
    .command("get")
    .argument("<env>", "APP/ENV or environment id")
    .description("Sync status, health and every object (exit 1 when Degraded)")
    .action(
      act(async (opts, ref) => {
        const api = apiFor(opts);
        const target = await resolveEnvironment(api, ref!);
        const out = await api.get<{ environment: Environment; resources: Resource[] }>(`/api/environments/${encodeURIComponent(target.id)}`);
        const e = out.environment;
        emit(opts, out, () =>
          [
            fields([
              ["Environment", label(target)],
              ["ID", e.id],
              ["Source", `${e.repositoryName}@${e.branch}:${e.path || "/"} (${e.renderer})`],
              ["Destination", `${e.clusterName}/${e.namespace}`],
              ["Sync", `${e.syncStatus}${e.desiredRevision ? ` to ${short(e.desiredRevision)}` : ""}`],
              ["Health", e.health],
              ["Synced revision", short(e.syncedRevision)],
              ["Auto-sync", e.detectOnly ? "detect only" : `${e.autoSync ? "on" : "off"}${e.prune ? ", prune" : ""}`],
              ["Hold", e.syncHold ? (e.syncHoldReason ?? "held") : ""],
              ["Reconciled", ago(e.lastReconciledAt)],
            ]),
            "",
            out.resources.length
              ? table(
                  ["KIND", "NAMESPACE", "NAME", "SYNC", "HEALTH", "MESSAGE"],
                  out.resources.map((r) => [r.kind, r.namespace, r.name, r.syncStatus, r.health, r.message || r.healthMessage]),
                )
              : "No objects recorded yet",
          ].join("\n"),
        );
        failIfDegraded(label(target), e.health);
      }),
    );
  env
    .command("diff")
    .argument("<env>", "APP/ENV or environment id")
    .description(
      "What a sync would change: a unified diff (live -> Git) of every object out of sync; exit 1 when there are differences, like diff(1) and argocd app diff",
    )
    .action(
      act(async (opts, ref) => {
        const api = apiFor(opts);
        const target = await resolveEnvironment(api, ref!);
        const { resources } = await api.get<{ resources: Resource[] }>(`/api/environments/${encodeURIComponent(target.id)}`);
        const differing = resources.filter((r) => r.syncStatus !== "Synced");
        const diffs: Array<{
          object: string;
          syncStatus: string;
          desiredYaml: string;
          liveYaml: string;
          inGit: boolean;
          live: boolean;
          error: string | null;
          diff: string;
        }> = [];
        for (const r of differing) {
          const d = await api.get<{ desiredYaml: string; liveYaml: string; inGit: boolean; live: boolean; error: string | null }>(
            `/api/environments/${encodeURIComponent(target.id)}/diff`,
            {
              query: { apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespace, name: r.name },
            },
          );
          diffs.push({
            object: objectRef(r),
            syncStatus: r.syncStatus,
            ...d,
            diff: unifiedDiff(d.liveYaml, d.desiredYaml, [`live/${objectRef(r)}`, `git/${objectRef(r)}`]),
          });
        }
        emit(opts, diffs, () =>
          diffs.length
            ? diffs
                .map((d) =>
                  [
                    `===== ${d.object} (${d.syncStatus}${d.inGit ? "" : ", not in Git"}${d.live ? "" : ", not in the cluster"})`,
                    d.error ? `error: ${d.error}` : "",
                    d.diff,
                  ]
                    .filter(Boolean)
                    .join("\n"),
                )
                .join("\n\n")
            : `${label(target)} matches Git`,
        );
        if (diffs.some((d) => d.diff || d.error)) process.exitCode = EXIT.failed;
      }),
    );
  env
    .command("history")
    .argument("<env>", "APP/ENV or environment id")
    .description("Recent sync runs, newest first (their ids are what `rollback --to` takes)")
    .action(
      act(async (opts, ref) => {
        const api = apiFor(opts);
        const target = await resolveEnvironment(api, ref!);
        const { items } = await api.get<{ items: SyncRun[] }>(`/api/environments/${encodeURIComponent(target.id)}/syncs`);
        emit(opts, items, () =>
          items.length
            ? table(
                ["ID", "STATUS", "TRIGGER", "REVISION", "BY", "STARTED", "DURATION", "ERROR"],
                items.map((r) => [r.id, r.status, r.trigger, short(r.revision), r.actorName, ago(r.startedAt), duration(r.startedAt, r.finishedAt), r.error]),
              )
            : `${label(target)} has not been synced yet`,
        );
      }),
    );
}

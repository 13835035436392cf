// What environments are made of: `repo add|list|fetch` and `cluster add|list`.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { parse } from "yaml";
import { act } from "../action";
import { parseDuration } from "../duration";
import { CliError, EXIT, usageError } from "../errors";
import { ago, emit, fields, progress, table } from "../output";
import { readStdin } from "../prompt";
import { resolveByName } from "../resolve";
import { apiFor } from "../session";
import { pollUntil } from "../wait";

interface Repository {
  id: string;
  name: string;
  url: string;
  status: string;
  lastError: string | null;
  defaultBranch: string | null;
  lastFetchedAt: string | null;
  progress: { phase: string; loaded: number | null; total: number | null } | null;
}
interface Cluster {
  id: string;
  name: string;
  server: string;
  contextName: string | null;
  status: string;
  statusReason: string | null;
  lastError: string | null;
  serverVersion: string | null;
  lastCheckedAt: string | null;
}

const BUSY = new Set(["pending", "cloning", "fetching"]);

export function registerInfra(program: Command) {
  const repo = program.command("repo").description("Git repositories Tideline tracks");
  repo
    .command("add")
    .argument("<name>", "a name for the repository")
    .argument("<url>", "HTTP(S) Git remote")
    .option("--username <name>", "username for a private remote")
    .option("--password-stdin", "read the password or access token for the remote from stdin")
    .option("--wait", "wait until the first clone is done (exit 1 if it fails)")
    .option("--timeout <duration>", "with --wait: give up after this long", parseDuration, 300_000)
    .description("Track a Git repository (admin); the clone runs in the background")
    .action(
      act(async (opts, name, url) => {
        const api = apiFor(opts);
        const token = opts.passwordStdin ? await readStdin() : undefined;
        const { repository } = await api.post<{ repository: Repository }>("/api/repositories", {
          name,
          url,
          username: opts.username ?? null,
          token: token ?? null,
        });
        const final = opts.wait ? await waitForRepository(api, opts, repository.id, opts.timeout) : repository;
        emit(
          opts,
          final,
          () => `Repository ${final.name} (${final.id}): ${final.status}${final.defaultBranch ? `, default branch ${final.defaultBranch}` : ""}`,
        );
        if (final.status === "error") throw new CliError(`Repository ${final.name}: ${final.lastError ?? "the clone failed"}`, EXIT.failed);
      }),
    );
  repo
    .command("list")
    .alias("ls")
    .description("Tracked repositories and their fetch status")
    .action(
      act(async (opts) => {
        const { items } = await apiFor(opts).get<{ items: Repository[] }>("/api/repositories");
        emit(opts, items, () =>
          table(
            ["NAME", "URL", "STATUS", "BRANCH", "FETCHED", "ERROR"],
            items.map((r) => [r.name, r.url, r.status, r.defaultBranch, ago(r.lastFetchedAt), r.lastError]),
          ),
        );
      }),
    );
  repo
    .command("fetch")
    .argument("<repo>", "repository name or id")
    .option("--wait", "wait until the fetch is done (exit 1 if it fails)")
    .option("--timeout <duration>", "with --wait: give up after this long", parseDuration, 300_000)
    .description("Fetch now; environments on moved branches are reconciled after it")
    .action(
      act(async (opts, ref) => {
        const api = apiFor(opts);
        const found = await resolveByName<Repository>(api, "/api/repositories", "repository", ref!);
        const before = found.lastFetchedAt;
        const { jobId } = await api.post<{ jobId: string }>(`/api/repositories/${encodeURIComponent(found.id)}/fetch`);
        if (!opts.wait) {
          emit(opts, { repository: found.name, jobId, status: "queued" }, () => `Fetch of ${found.name} queued`);
          return;
        }
        // Done when the repository is idle and its last fetch is newer than the one before ours (or it failed).
        const final = await pollUntil(
          `the fetch of ${found.name}`,
          opts.timeout,
          async () => (await api.get<{ repository: Repository }>(`/api/repositories/${encodeURIComponent(found.id)}`)).repository,
          (r) => r.status === "error" || (!BUSY.has(r.status) && r.lastFetchedAt !== before),
          300,
        );
        emit(opts, final, () => `Fetched ${final.name}: ${final.status}${final.lastError ? ` (${final.lastError})` : ""}`);
        if (final.status === "error") throw new CliError(`Fetch of ${final.name} failed: ${final.lastError ?? "unknown error"}`, EXIT.failed);
      }),
    );

  const cluster = program.command("cluster").description("Kubernetes clusters environments deploy to");
  cluster
    .command("add")
    .argument("<name>", "a name for the cluster (lowercase, like a Kubernetes name)")
    .requiredOption("--kubeconfig <file>", "kubeconfig file ('-' for stdin); only the chosen context is sent and stored (encrypted)")
    .option("--context <context>", "context in the kubeconfig (default: its current-context)")
    .option("--namespace <ns>", "default namespace")
    .description(
      "Register a cluster from a kubeconfig context (admin); the server checks the connection on save.\nIn this command --context is the kubeconfig's context; pick the Tideline context with TIDELINE_CONTEXT.",
    )
    .action(
      act(async (opts, name) => {
        // Here --context names the kubeconfig's context, not a CLI context (TIDELINE_CONTEXT picks that).
        const kubeconfig = opts.kubeconfig === "-" ? await readStdin() : readKubeconfig(opts.kubeconfig);
        const kubeContext = opts.context ?? (parse(kubeconfig) as { "current-context"?: string } | null)?.["current-context"];
        if (!kubeContext) throw usageError(`${opts.kubeconfig} has no current-context; pass --context`);
        const api = apiFor({ ...opts, context: undefined });
        const out = await api.post<{ cluster: Cluster; report: { ok?: boolean; error?: string | null } }>("/api/clusters", {
          source: "kubeconfig",
          name,
          kubeconfig,
          context: kubeContext,
          namespace: opts.namespace,
        });
        emit(opts, out, () =>
          fields([
            ["Cluster", out.cluster.name],
            ["ID", out.cluster.id],
            ["Server", out.cluster.server],
            ["Context", out.cluster.contextName],
            ["Status", `${out.cluster.status}${out.cluster.statusReason ? ` (${out.cluster.statusReason})` : ""}`],
            ["Version", out.cluster.serverVersion],
          ]),
        );
      }),
    );
  cluster
    .command("list")
    .alias("ls")
    .description("Registered clusters and their connection state")
    .action(
      act(async (opts) => {
        const { items } = await apiFor(opts).get<{ items: Cluster[] }>("/api/clusters");
        emit(opts, items, () =>
          table(
            ["NAME", "SERVER", "CONTEXT", "STATUS", "VERSION", "CHECKED", "ERROR"],
            items.map((c) => [c.name, c.server, c.contextName, c.status, c.serverVersion, ago(c.lastCheckedAt), c.lastError]),
          ),
        );
      }),
    );
}

async function waitForRepository(api: ReturnType<typeof apiFor>, opts: Parameters<typeof progress>[0], id: string, timeoutMs: number) {
  let phase = "";
  return pollUntil(
    `repository ${id}`,
    timeoutMs,
    async () => (await api.get<{ repository: Repository }>(`/api/repositories/${encodeURIComponent(id)}`)).repository,
    (r) => {
      const now = r.progress ? `${r.progress.phase} ${r.progress.loaded ?? ""}${r.progress.total ? `/${r.progress.total}` : ""}` : r.status;
      if (now !== phase) progress(opts, `  ${now}`);
      phase = now;
      return !BUSY.has(r.status);
    },
    300,
  );
}

function readKubeconfig(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw usageError(`Cannot read kubeconfig ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

// Moving a release along the pipeline: `promote SRC DST` (preview, confirm, follow), `approve` /
// `reject`, and `promotion list|get`.
import type { Command } from "commander";
import { act } from "../action";
import type { Api } from "../client";
import { parseDuration } from "../duration";
import { CliError, EXIT } from "../errors";
import { ago, emit, fields, progress, short, table } from "../output";
import { label, resolveEnvironment } from "../resolve";
import { apiFor, type GlobalOptions } from "../session";
import { pollUntil } from "../wait";

export interface Promotion {
  id: string;
  kind: string;
  status: string;
  authorName: string;
  sourceRevision: string | null;
  commitSha: string | null;
  requiredApprovals: number;
  error: string | null;
  createdAt: string;
  targetEnvironment?: { id: string; name: string; application: { name: string } };
  sourceEnvironment?: { id: string; name: string } | null;
  approvals?: Array<{ userName?: string; decision: string; comment: string }>;
  events?: Array<{ at: string; actorName: string; action: string; detail: string | null }>;
  changeRequest?: { id: string; number: number; status: string; externalUrl: string | null } | null;
}
interface PromotionPreview {
  title: string;
  strategy: string;
  sourceRevision: string;
  files: Array<{ path: string; change: string }>;
  images: Array<{ name: string; from: string | null; to: string }>;
  warnings: string[];
  blockers: string[];
  previewHash: string;
  target: { protected: boolean; requiredApprovals: number };
}

const DONE = new Set(["succeeded", "failed", "rejected", "cancelled", "superseded"]);
const path = (id: string) => `/api/promotions/${encodeURIComponent(id)}`;

/** Polls a promotion to a final status, printing its timeline as events arrive. */
export async function followPromotion(api: Api, opts: GlobalOptions, id: string, timeoutMs: number): Promise<Promotion> {
  let seen = 0;
  return pollUntil(
    `promotion ${id}`,
    timeoutMs,
    async () => (await api.get<{ promotion: Promotion }>(path(id))).promotion,
    (p) => {
      for (const e of (p.events ?? []).slice(seen))
        progress(opts, `${e.at.slice(11, 19)}  ${e.action.padEnd(20)}  ${e.detail ?? ""}${e.actorName !== "tideline" ? ` (${e.actorName})` : ""}`);
      seen = p.events?.length ?? 0;
      return DONE.has(p.status);
    },
  );
}

const failedStatus = (p: Promotion) => ["failed", "rejected", "cancelled", "superseded"].includes(p.status);

export function registerPromotions(program: Command) {
  program
    .command("promote")
    .argument("<source>", "environment to promote from (APP/ENV or id)")
    .argument("<target>", "environment to promote into")
    .description("Promote what the source runs into the target: previews, then commits (or opens a change request awaiting approval)")
    .option("--acknowledge-warnings", "promote despite the preview's warnings (unhealthy or out-of-sync source)")
    .option("--wait", "follow the promotion until it succeeds or fails (through approval, merge and sync)")
    .option("--timeout <duration>", "with --wait: give up after this long", parseDuration, 600_000)
    .action(
      act(async (opts, src, dst) => {
        const api = apiFor(opts);
        const [source, target] = [await resolveEnvironment(api, src!), await resolveEnvironment(api, dst!)];
        const ids = { sourceEnvironmentId: source.id, targetEnvironmentId: target.id };
        const preview = await api.post<PromotionPreview>("/api/promotions/preview", ids);
        progress(
          opts,
          `${preview.title} (${preview.strategy}, ${preview.files.length} file(s)${preview.images.length ? `, ${preview.images.map((i) => `${i.name}:${i.from ?? "-"}->${i.to}`).join(" ")}` : ""})`,
        );
        if (preview.blockers.length) throw new CliError(`Cannot promote ${label(source)} to ${label(target)}: ${preview.blockers.join("; ")}`, EXIT.failed);
        if (preview.warnings.length && !opts.acknowledgeWarnings)
          throw new CliError(`Promoting ${label(source)} to ${label(target)} has warnings: ${preview.warnings.join("; ")}`, EXIT.failed, [
            "pass --acknowledge-warnings to promote anyway",
          ]);
        const { promotion } = await api.post<{ promotion: Promotion }>("/api/promotions", {
          ...ids,
          previewHash: preview.previewHash,
          acknowledgeWarnings: Boolean(opts.acknowledgeWarnings),
        });
        if (promotion.status === "awaiting_approval")
          progress(opts, `Promotion ${promotion.id} needs ${promotion.requiredApprovals} approval(s): tideline approve ${promotion.id}`);
        const final = opts.wait ? await followPromotion(api, opts, promotion.id, opts.timeout) : promotion;
        emit(opts, final, () => `Promotion ${final.id} of ${label(source)} to ${label(target)}: ${final.status}${final.error ? ` (${final.error})` : ""}`);
        if (failedStatus(final)) throw new CliError(`Promotion ${final.id} ${final.status}${final.error ? `: ${final.error}` : ""}`, EXIT.failed);
      }),
    );

  for (const decision of ["approve", "reject"] as const) {
    program
      .command(decision)
      .argument("<promotion>", "promotion id (see `tideline promotion list --inbox`)")
      .option("-m, --comment <text>", "a comment recorded with the decision", "")
      .description(
        decision === "approve"
          ? "Approve a promotion or rollback waiting for approval (the last approval merges and syncs)"
          : "Reject a promotion or rollback waiting for approval",
      )
      .action(
        act(async (opts, id) => {
          const { promotion } = await apiFor(opts).post<{ promotion: Promotion }>(`${path(id!)}/decision`, {
            decision: decision === "approve" ? "approved" : "rejected",
            comment: opts.comment,
          });
          emit(opts, promotion, () => `${decision === "approve" ? "Approved" : "Rejected"} promotion ${promotion.id}: now ${promotion.status}`);
        }),
      );
  }

  const promotion = program.command("promotion").description("Promotions and rollbacks");
  promotion
    .command("list")
    .alias("ls")
    .option("--inbox", "only the ones waiting for my approval")
    .option("--status <status>", "proposed, awaiting_approval, approved, merged, syncing, succeeded, rejected or failed")
    .option("--env <env>", "into this environment (APP/ENV or id)")
    .description("Recent promotions and rollbacks")
    .action(
      act(async (opts) => {
        const api = apiFor(opts);
        const environmentId = opts.env ? (await resolveEnvironment(api, opts.env)).id : undefined;
        const { items } = await api.get<{ items: Promotion[] }>("/api/promotions", {
          query: { inbox: opts.inbox ? "1" : undefined, status: opts.status, environmentId },
        });
        emit(opts, items, () =>
          table(
            ["ID", "KIND", "STATUS", "INTO", "FROM", "REVISION", "BY", "CREATED"],
            items.map((p) => [
              p.id,
              p.kind,
              p.status,
              p.targetEnvironment ? `${p.targetEnvironment.application.name}/${p.targetEnvironment.name}` : "",
              p.sourceEnvironment?.name,
              short(p.sourceRevision),
              p.authorName,
              ago(p.createdAt),
            ]),
          ),
        );
      }),
    );
  promotion
    .command("get")
    .argument("<promotion>", "promotion id")
    .description("One promotion with its approvals and timeline")
    .action(
      act(async (opts, id) => {
        const { promotion: p } = await apiFor(opts).get<{ promotion: Promotion }>(path(id!));
        emit(opts, p, () =>
          [
            fields([
              ["ID", p.id],
              ["Kind", p.kind],
              ["Status", p.status],
              ["Into", p.targetEnvironment ? `${p.targetEnvironment.application.name}/${p.targetEnvironment.name}` : ""],
              ["From", p.sourceEnvironment?.name],
              ["Revision", short(p.sourceRevision)],
              ["Commit", short(p.commitSha)],
              ["Approvals needed", p.requiredApprovals],
              ["Change request", p.changeRequest ? `#${p.changeRequest.number} (${p.changeRequest.status})` : ""],
              ["Error", p.error],
            ]),
            "",
            table(
              ["AT", "BY", "EVENT", "DETAIL"],
              (p.events ?? []).map((e) => [e.at.slice(0, 19).replace("T", " "), e.actorName, e.action, e.detail]),
            ),
          ].join("\n"),
        );
      }),
    );
}

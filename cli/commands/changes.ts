// Change requests: `change list|get|merge` (by id, or by number as REPO#N or #N when only one
// repository has it).
import type { Command } from "commander";
import { act } from "../action";
import type { Api } from "../client";
import { usageError } from "../errors";
import { ago, emit, fields, short, table } from "../output";
import { apiFor } from "../session";

interface ChangeRequest {
  id: string;
  number: number;
  title: string;
  status: string;
  kind: string;
  /** In lists. */
  repositoryName?: string;
  /** In the detail. */
  repository?: { id: string; name: string };
  authorName: string;
  baseBranch: string;
  headBranch: string;
  headSha: string;
  requiredReviews: number;
  approvals?: number;
  mergeable?: boolean;
  mergedSha?: string | null;
  externalUrl: string | null;
  createdAt: string;
  files?: Array<{ path: string }>;
  blockers?: string[];
}

const repoOf = (c: Pick<ChangeRequest, "repositoryName" | "repository">) => c.repositoryName ?? c.repository?.name ?? "";

/** An id, or a number as REPO#N, #N or N (a cuid never has a "#" and is never all digits). */
async function resolveChange(api: Api, ref: string): Promise<{ id: string; repositoryName?: string }> {
  const m = ref.match(/^(?:(.*?)#)?(\d+)$/);
  if (!m) return { id: ref };
  const [, repoName, number] = m;
  const { items } = await api.get<{ items: ChangeRequest[] }>("/api/changes", { query: { status: "all", pageSize: 100 } });
  const found = items.filter((c) => c.number === Number(number) && (!repoName || c.repositoryName === repoName));
  if (found.length === 1) return { id: found[0]!.id, repositoryName: found[0]!.repositoryName };
  if (found.length > 1)
    throw usageError(
      `#${number} is a change request in ${found.length} repositories; say which as REPO#${number}`,
      found.map((c) => `${c.repositoryName}#${c.number}  ${c.id}`),
    );
  throw usageError(`No change request ${ref} among the 100 most recent; use its id`);
}

export function registerChanges(program: Command) {
  const change = program.command("change").description("Change requests (edits, promotions, rollbacks, image updates)");
  change
    .command("list")
    .alias("ls")
    .option("--status <status>", "open, merged, closed or all", "open")
    .option("--kind <kind>", "edit, promotion, rollback or image-update")
    .option("--author <name>", "opened by this user")
    .description("Change requests, newest first")
    .action(
      act(async (opts) => {
        const out = await apiFor(opts).get<{ total: number; items: ChangeRequest[] }>("/api/changes", {
          query: { status: opts.status, kind: opts.kind, author: opts.author, pageSize: 100 },
        });
        emit(opts, out.items, () =>
          table(
            ["ID", "REPO#N", "STATUS", "KIND", "TITLE", "BRANCH", "REVIEWS", "BY", "CREATED"],
            out.items.map((c) => [
              c.id,
              `${c.repositoryName}#${c.number}`,
              c.status,
              c.kind,
              c.title,
              `${c.headBranch} -> ${c.baseBranch}`,
              `${c.approvals ?? 0}/${c.requiredReviews}`,
              c.authorName,
              ago(c.createdAt),
            ]),
          ),
        );
      }),
    );
  change
    .command("get")
    .argument("<change>", "change request id, REPO#N or #N")
    .description("One change request: files, reviews, whether it can merge")
    .action(
      act(async (opts, ref) => {
        const api = apiFor(opts);
        const { change: c } = await api.get<{ change: ChangeRequest }>(`/api/changes/${encodeURIComponent((await resolveChange(api, ref!)).id)}`);
        emit(opts, c, () =>
          fields([
            ["ID", c.id],
            ["Change", `${repoOf(c)}#${c.number} ${c.title}`],
            ["Status", c.status],
            ["Branch", `${c.headBranch} (${short(c.headSha)}) -> ${c.baseBranch}`],
            ["Author", c.authorName],
            ["Mergeable", c.status === "open" ? (c.mergeable ? "yes" : `no${c.blockers?.length ? `: ${c.blockers.join("; ")}` : ""}`) : ""],
            ["Merged", short(c.mergedSha)],
            ["Files", (c.files ?? []).map((f) => f.path).join(", ")],
            ["External", c.externalUrl],
          ]),
        );
      }),
    );
  change
    .command("merge")
    .argument("<change>", "change request id, REPO#N or #N")
    .option("--method <method>", "merge or fast-forward", "merge")
    .option("--expected-head <sha>", "refuse if the change's head moved past this commit (what you reviewed)")
    .description("Merge a change request once its required reviews are in")
    .action(
      act(async (opts, ref) => {
        const api = apiFor(opts);
        const found = await resolveChange(api, ref!);
        // The merge answers with the change request row; its repository's name comes from the list or the change itself.
        const repositoryName =
          found.repositoryName ?? repoOf((await api.get<{ change: ChangeRequest }>(`/api/changes/${encodeURIComponent(found.id)}`)).change);
        const { change: c } = await api.post<{ change: ChangeRequest }>(`/api/changes/${encodeURIComponent(found.id)}/merge`, {
          method: opts.method,
          expectedHeadSha: opts.expectedHead,
        });
        emit(opts, c, () => `Merged ${repositoryName}#${c.number} into ${c.baseBranch} as ${short(c.mergedSha)}`);
      }),
    );
}
